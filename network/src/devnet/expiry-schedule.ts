import type { StateWrite, Version, VersionedValue } from './world-state.js';

/** The state a block's commit changes: reads see the block's own writes so far. */
export interface StateChanges {
  get(namespace: string, key: string): VersionedValue | undefined;
  apply(write: StateWrite, version: Version, txId: string, timestampMs: number): void;
}

/** Fabric's ComputeExpiringBlock (core/ledger/pvtdatapolicy/btlpolicy.go): purged with the commit of this block. */
export function expiringBlock(committingBlock: number, blockToLive: number): number {
  return committingBlock + blockToLive + 1;
}

/** Whether private data committed in `committingBlock` is gone once `lastBlock` is committed. */
export function isExpired(committingBlock: number, blockToLive: number, lastBlock: number): boolean {
  return blockToLive > 0 && expiringBlock(committingBlock, blockToLive) <= lastBlock;
}

/**
 * Keys of a state that expire under a collection's blockToLive, as Fabric's purge manager keeps them
 * (core/ledger/kvledger/txmgmt/pvtstatepurgemgmt): a key written in block b with blockToLive n is
 * deleted with the commit of block b + n + 1, unless a later write has replaced it by then.
 */
export class ExpirySchedule {
  private readonly due = new Map<number, { namespace: string; key: string; version: Version }[]>();

  /** `blockToLive` of the namespace's collection; 0 keeps its keys for ever. */
  constructor(private readonly blockToLive: (namespace: string) => number) {}

  /** Called for every write applied to the state. */
  written(namespace: string, key: string, version: Version, isDelete: boolean): void {
    const btl = this.blockToLive(namespace);
    if (btl <= 0 || isDelete) return;
    const at = expiringBlock(version.blockNum, btl);
    let list = this.due.get(at);
    if (!list) this.due.set(at, (list = []));
    list.push({ namespace, key, version });
  }

  /** Deletes every key due by `block` that still has the version that was scheduled. */
  purge(block: number, state: StateChanges): void {
    for (const [at, list] of this.due) {
      if (at > block) continue;
      this.due.delete(at);
      for (const { namespace, key, version } of list) {
        const current = state.get(namespace, key)?.version;
        if (current && current.blockNum === version.blockNum && current.txNum === version.txNum) {
          state.apply({ namespace, key, value: null }, version, '', 0);
        }
      }
    }
  }
}
