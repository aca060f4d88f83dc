import type { SubtreeKey } from './merkle.js';

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

export interface StoredTreeHead extends TreeHead {
  anchor: { transactionId: string; blockNumber: number } | null;
}

/** The log's tree as its signer and its proofs read it: its size, the hashes of complete subtrees, its leaves in order. */
export interface LogTree {
  /** Leaves committed so far. */
  size(): Promise<number>;
  /** The hashes of complete, aligned subtrees, keyed `level/index` (level 0 is a leaf hash). */
  subtrees(keys: SubtreeKey[]): Promise<Map<string, Buffer>>;
  /** Up to `limit` leaves from `from` on, in order, with their stored entry and hash. */
  leaves(from: number, limit: number): Promise<{ leafIndex: number; entry: string; leafHash: Buffer }[]>;
}

/** The signed tree heads and what became of their anchoring. */
export interface TreeHeadStore {
  /** The size of the largest head signed so far. */
  latestSize(): Promise<number | undefined>;
  /** Keeps a signed head, unless one of that size is already kept. */
  insert(head: TreeHead): Promise<void>;
  /** Heads neither anchored nor refused for good, smallest first. */
  unanchored(): Promise<TreeHead[]>;
  markAnchored(treeSize: number, anchor: { transactionId: string; blockNumber: number }): Promise<void>;
  /** The ledger refused the head for good: it is kept, with why, and not retried. */
  markRefused(treeSize: number, error: string): Promise<void>;
  latest(): Promise<StoredTreeHead | undefined>;
  /** Heads newest first, a page at a time before `beforeSize`. */
  page(limit: number, beforeSize?: number): Promise<StoredTreeHead[]>;
}
