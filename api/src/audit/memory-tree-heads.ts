import type { StoredTreeHead, TreeHead, TreeHeadStore } from './log-ports.js';

/** Signed tree heads in memory, for unit tests: the same contract as `PgTreeHeads`. */
class MemoryTreeHeads implements TreeHeadStore {
  private readonly heads = new Map<number, StoredTreeHead & { refused: string | null }>();

  async latestSize(): Promise<number | undefined> {
    const sizes = [...this.heads.keys()];
    return sizes.length > 0 ? Math.max(...sizes) : undefined;
  }

  async insert(head: TreeHead): Promise<void> {
    if (!this.heads.has(head.treeSize)) this.heads.set(head.treeSize, { ...head, anchor: null, refused: null });
  }

  async unanchored(): Promise<TreeHead[]> {
    return [...this.heads.values()]
      .filter((h) => h.anchor === null && h.refused === null)
      .sort((a, b) => a.treeSize - b.treeSize)
      .map(({ treeSize, rootHash, timestamp, keyId, signature }) => ({ treeSize, rootHash, timestamp, keyId, signature }));
  }

  async markAnchored(treeSize: number, anchor: { transactionId: string; blockNumber: number }): Promise<void> {
    const head = this.heads.get(treeSize);
    if (head) head.anchor = { ...anchor };
  }

  async markRefused(treeSize: number, error: string): Promise<void> {
    const head = this.heads.get(treeSize);
    if (head) head.refused = error;
  }

  async latest(): Promise<StoredTreeHead | undefined> {
    return this.sorted()[0];
  }

  async page(limit: number, beforeSize?: number): Promise<StoredTreeHead[]> {
    return this.sorted()
      .filter((h) => beforeSize === undefined || h.treeSize < beforeSize)
      .slice(0, limit);
  }

  /** Newest first, as stored heads (without the refusal). */
  private sorted(): StoredTreeHead[] {
    return [...this.heads.values()]
      .sort((a, b) => b.treeSize - a.treeSize)
      .map(({ refused: _r, ...h }) => ({ ...h, anchor: h.anchor ? { ...h.anchor } : null }));
  }
}

export function inMemoryTreeHeads(): TreeHeadStore {
  return new MemoryTreeHeads();
}
