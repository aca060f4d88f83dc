import { join } from 'node:path';
import type { ledger } from '@hyperledger/fabric-protos';
import { isMember, type CollectionRegistry } from './collections.js';
import { isExpired } from './expiry-schedule.js';
import { INVALID_TX_FILE, PrivateDataStore, type BlockPrivateData } from './private-data-store.js';
import {
  decodeTxPrivateWrites,
  encodeTxPrivateWrites,
  filterTxPrivateWrites,
  hashedNamespace,
  keyHash,
  type CollectionPrivateWrites,
} from './private-rwset.js';
import type { PrivateStateView } from './private-simulator.js';
import type { NamespaceRwSet } from './rwset.js';
import type { Signer } from './policy.js';
import { sha256 } from '@citizen-vault/ledger-format';

/** Fabric's `peer.gossip.pvtData.transientstoreMaxBlockRetention`: endorsed private data not committed by then is dropped. */
const TRANSIENT_RETENTION_BLOCKS = 1000;

export interface PrivateCommit {
  txNum: number;
  txId: string;
  rwSets: readonly NamespaceRwSet[];
}

/** Block of the latest purge of a private key, by `<ns>$$h<coll>/<hex key hash>`. */
export type PurgedAt = (hashedKey: string) => number | undefined;

export type PrivateDataLog = (message: string, fields: Record<string, unknown>) => void;

/**
 * The private side of the channel ledger across every organisation's peer: a transient store for
 * private writes between endorsement and commit (Fabric's transientstore, here in memory), and each
 * organisation's `PrivateDataStore`. At commit, the private writes of each valid transaction are
 * checked against the hashes in the block and given to the peers of the collection's member
 * organisations only.
 */
export class PrivateLedger {
  private readonly transient = new Map<string, { height: number; sets: CollectionPrivateWrites[] }>();
  private readonly staged = new Map<number, Map<string, BlockPrivateData>>();

  private constructor(
    private readonly stores: ReadonlyMap<string, PrivateDataStore>,
    /** Each organisation's private writes of invalid transactions, which deliver returns and nothing applies. */
    private readonly invalidStores: ReadonlyMap<string, PrivateDataStore>,
    private readonly collections: CollectionRegistry,
    private readonly purgedAt: PurgedAt,
    private readonly log: PrivateDataLog,
  ) {}

  static async open(
    dir: string,
    mspIds: readonly string[],
    height: number,
    collections: CollectionRegistry,
    purgedAt: PurgedAt,
    log: PrivateDataLog,
  ): Promise<PrivateLedger> {
    const stores = new Map<string, PrivateDataStore>();
    const invalidStores = new Map<string, PrivateDataStore>();
    const btl = (namespace: string, collection: string): number => collections.get(namespace, collection)?.blockToLive ?? 0;
    for (const mspId of mspIds) {
      stores.set(mspId, await PrivateDataStore.open(join(dir, mspId), height, btl));
      invalidStores.set(mspId, await PrivateDataStore.open(join(dir, mspId), height, btl, INVALID_TX_FILE));
    }
    return new PrivateLedger(stores, invalidStores, collections, purgedAt, log);
  }

  /** What the organisation's peer can read: nothing when it has no store (not a channel member). */
  view(mspId: string): PrivateStateView | undefined {
    return this.stores.get(mspId)?.view();
  }

  /** Keeps an endorsement's private writes until its transaction commits, as the endorser's transient store does. */
  keepTransient(txId: string, sets: CollectionPrivateWrites[], height: number): void {
    if (sets.length > 0) this.transient.set(txId, { height, sets });
  }

  /**
   * Writes each member organisation's share of the block's private data durably, before the block:
   * that of valid transactions, and apart from it that of invalid ones (`invalid`), as Fabric keeps it.
   * `txIds` are all the block's transactions: valid or not, their transient data is no longer needed.
   */
  async stage(number: number, commits: readonly PrivateCommit[], invalid: readonly PrivateCommit[], txIds: readonly string[]): Promise<void> {
    const perOrg = this.shares(commits);
    const invalidPerOrg = this.shares(invalid);
    for (const txId of txIds) this.transient.delete(txId);
    for (const [txId, entry] of this.transient) if (number - entry.height > TRANSIENT_RETENTION_BLOCKS) this.transient.delete(txId);
    await Promise.all([
      ...[...perOrg].map(([mspId, data]) => this.stores.get(mspId)!.append(number, data)),
      ...[...invalidPerOrg].map(([mspId, data]) => this.invalidStores.get(mspId)!.append(number, data)),
    ]);
    this.staged.set(number, perOrg);
  }

  /** The transactions' private writes, checked against their hashes, split by the organisations whose peers keep them. */
  private shares(commits: readonly PrivateCommit[]): Map<string, BlockPrivateData> {
    const perOrg = new Map<string, BlockPrivateData>();
    for (const { txNum, txId, rwSets } of commits) {
      const written = rwSets.flatMap((ns) => (ns.collections ?? []).filter((c) => c.writes.length > 0).map((c) => ({ namespace: ns.namespace, hashed: c })));
      const kept = this.transient.get(txId);
      this.transient.delete(txId);
      if (written.length === 0) continue;
      const sets: CollectionPrivateWrites[] = [];
      for (const { namespace, hashed } of written) {
        const set = kept?.sets.find((s) => s.namespace === namespace && s.collection === hashed.collection);
        const bytes = set ? encodeTxPrivateWrites([set]).getNsPvtRwsetList()[0]!.getCollectionPvtRwsetList()[0]!.getRwset_asU8() : undefined;
        if (!set || !bytes || !sha256(bytes).equals(hashed.pvtRwSetHash)) {
          // Fabric commits the block anyway and records the data as missing; the devnet has no peer to fetch it from.
          this.log('private data of a committed transaction is missing or does not match its hash', { txId, namespace, collection: hashed.collection });
          continue;
        }
        sets.push(set);
      }
      const tx = encodeTxPrivateWrites(sets);
      for (const mspId of this.stores.keys()) {
        const share = filterTxPrivateWrites(tx, (ns, coll) => this.collections.get(ns, coll)?.memberOrgs.has(mspId) ?? false);
        if (!share) continue;
        let block = perOrg.get(mspId);
        if (!block) perOrg.set(mspId, (block = new Map()));
        block.set(txNum, share);
      }
    }
    return perOrg;
  }

  /** Makes a staged block's private values readable, once the block itself is committed. */
  applyStaged(number: number): void {
    const perOrg = this.staged.get(number);
    this.staged.delete(number);
    for (const [mspId, store] of this.stores) {
      store.purgeExpired(number);
      const data = perOrg?.get(mspId);
      if (data) store.apply(number, data);
    }
  }

  /**
   * The block's private data that the requester may see (Fabric's deliver with private data): from
   * its organisation's peer, only collections it may read — without memberOnlyRead, or whose member
   * policy it satisfies (deliverevents.go CheckCollectionPolicy) — and whose blockToLive has not run
   * out by `lastBlock`.
   */
  async forRequester(number: number, requester: Signer, lastBlock: number): Promise<Map<number, ledger.rwset.TxPvtReadWriteSet>> {
    const store = this.stores.get(requester.mspId);
    const invalidStore = this.invalidStores.get(requester.mspId);
    const out = new Map<number, ledger.rwset.TxPvtReadWriteSet>();
    if (!store || !invalidStore) return out;
    const stored = new Map([...(await store.read(number)), ...(await invalidStore.read(number))]);
    for (const [txNum, tx] of [...stored].sort(([a], [b]) => a - b)) {
      const visible = filterTxPrivateWrites(tx, (ns, coll) => {
        const collection = this.collections.get(ns, coll);
        return (
          collection !== undefined && (!collection.memberOnlyRead || isMember(collection, requester)) && !isExpired(number, collection.blockToLive, lastBlock)
        );
      });
      const unpurged = visible && this.withoutPurged(number, visible);
      if (unpurged) out.set(txNum, unpurged);
    }
    return out;
  }

  /** Drops values of keys purged in a later block (Fabric removes them from the pvtdata store). */
  private withoutPurged(number: number, tx: ledger.rwset.TxPvtReadWriteSet): ledger.rwset.TxPvtReadWriteSet | undefined {
    const sets = decodeTxPrivateWrites(tx);
    const purged = (ns: string, coll: string, key: string): boolean =>
      (this.purgedAt(`${hashedNamespace(ns, coll)}/${keyHash(key).toString('hex')}`) ?? -1) > number;
    if (!sets.some((s) => s.writes.some((w) => purged(s.namespace, s.collection, w.key)))) return tx;
    const kept = sets.map((s) => ({ ...s, writes: s.writes.filter((w) => !purged(s.namespace, s.collection, w.key)) })).filter((s) => s.writes.length > 0);
    return kept.length > 0 ? encodeTxPrivateWrites(kept) : undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.stores.values(), ...this.invalidStores.values()].map((s) => s.close()));
  }
}
