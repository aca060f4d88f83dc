import sortedBtree from 'sorted-btree';
import type { Version } from '@citizen-vault/ledger-format';
import { compareKeys } from './key-order.js';

// sorted-btree is CommonJS with `exports.default` and `__esModule`: Node's ESM loader hands over
// module.exports as the default import, bundlers and Vite the class itself. Accept both.
const BTree: typeof sortedBtree.default =
  (sortedBtree as { default?: typeof sortedBtree.default }).default ?? (sortedBtree as unknown as typeof sortedBtree.default);
type Tree = InstanceType<typeof BTree<string, VersionedValue>>;

export type { Version };

export interface VersionedValue {
  value: Buffer;
  version: Version;
}

export interface KeyModification {
  txId: string;
  value: Buffer;
  isDelete: boolean;
  timestampMs: number;
}

export interface StateWrite {
  namespace: string;
  key: string;
  value: Buffer | null;
}

/**
 * The committed world state: per chaincode namespace, keys in UTF-8 byte order with their versions,
 * and each key's history. Rebuilt from the blocks on start, so it needs no storage of its own.
 */
export class WorldState {
  private readonly namespaces = new Map<string, Tree>();
  private readonly history = new Map<string, Map<string, KeyModification[]>>();

  get(namespace: string, key: string): VersionedValue | undefined {
    return this.namespaces.get(namespace)?.get(key);
  }

  /**
   * Keys in [start, end) (end '' means no upper bound), strictly after `after` when given, at most `limit`.
   */
  range(namespace: string, start: string, end: string, limit: number, after?: string): [string, VersionedValue][] {
    const tree = this.namespaces.get(namespace);
    if (!tree) return [];
    const out: [string, VersionedValue][] = [];
    const from = after !== undefined && compareKeys(after, start) >= 0 ? after : start;
    for (const [key, value] of tree.entries(from)) {
      if (after !== undefined && key === after) continue;
      if (end !== '' && compareKeys(key, end) >= 0) break;
      out.push([key, value]);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** A key's modifications, oldest first. */
  historyFor(namespace: string, key: string): readonly KeyModification[] {
    return this.history.get(namespace)?.get(key) ?? [];
  }

  apply(write: StateWrite, version: Version, txId: string, timestampMs: number): void {
    let tree = this.namespaces.get(write.namespace);
    if (!tree) {
      tree = new BTree<string, VersionedValue>(undefined, compareKeys);
      this.namespaces.set(write.namespace, tree);
    }
    if (write.value === null) tree.delete(write.key);
    else tree.set(write.key, { value: write.value, version });

    let keys = this.history.get(write.namespace);
    if (!keys) this.history.set(write.namespace, (keys = new Map()));
    let mods = keys.get(write.key);
    if (!mods) keys.set(write.key, (mods = []));
    mods.push({ txId, value: write.value ?? Buffer.alloc(0), isDelete: write.value === null, timestampMs });
  }
}
