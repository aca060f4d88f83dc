import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Frontier, leafHash, rangeHash, withSubtrees } from '../../src/audit/merkle.js';
import type { FixtureFactory } from './fixture.js';

/** What the log's tree (as the access log writes it) and the tree-head store must do, Postgres or in memory. */
export function logStoresContract(name: string, fixture: FixtureFactory): void {
  describe(`log tree and tree heads contract: ${name}`, () => {
    it('grows by one leaf per append and gives the leaves back in order, each with the hash of its entry', async () => {
      const f = fixture();
      const before = await f.tree.size();
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await f.access.append('record_deposit', { recordId: id });
      expect(await f.tree.size()).toBe(before + 3);
      const leaves = await f.tree.leaves(before, 10);
      expect(leaves.map((l) => l.leafIndex)).toEqual([before, before + 1, before + 2]);
      leaves.forEach((l, i) => {
        expect(JSON.parse(l.entry)).toMatchObject({ kind: 'record_deposit', recordId: ids[i] });
        expect(l.leafHash).toEqual(leafHash(l.entry));
      });
    });

    it('answers complete subtrees whose RFC 6962 root equals the root rebuilt from the leaves, and no subtree past the end', async () => {
      const f = fixture();
      for (let i = 0; i < 5; i++) await f.access.append('record_deposit', { recordId: randomUUID() });
      const size = await f.tree.size();
      const rebuilt = new Frontier(0);
      for (let from = 0; from < size; from += 1000) for (const l of await f.tree.leaves(from, 1000)) rebuilt.append(l.leafHash);
      const root = await withSubtrees(
        (get) => rangeHash(get, 0, size),
        (keys) => f.tree.subtrees(keys),
      );
      expect(root).toEqual(rebuilt.root());
      const past = await f.tree.subtrees([
        { level: 0, index: size },
        { level: 1, index: Math.floor(size / 2) + 1 },
      ]);
      expect(past.size).toBe(0);
    });

    it('keeps one head per size, hands out the unanchored smallest first, and files anchored and refused heads', async () => {
      const f = fixture();
      const base = randomInt(1_000_000, 1_000_000_000);
      const head = (treeSize: number, signature = 'sig') => ({
        treeSize,
        rootHash: 'ab'.repeat(32),
        timestamp: '2026-06-01T08:00:00.000Z',
        keyId: 'log-1',
        signature,
      });
      await f.heads.insert(head(base + 2));
      await f.heads.insert(head(base + 1));
      await f.heads.insert(head(base + 3));
      await f.heads.insert(head(base + 1, 'other')); // the same size again changes nothing
      const mine = (await f.heads.unanchored()).filter((h) => h.treeSize >= base && h.treeSize <= base + 3);
      expect(mine).toEqual([head(base + 1), head(base + 2), head(base + 3)]);
      expect(await f.heads.latestSize()).toBeGreaterThanOrEqual(base + 3);
      await f.heads.markAnchored(base + 1, { transactionId: 'tx-1', blockNumber: 7 });
      await f.heads.markRefused(base + 2, 'anchor_not_monotonic');
      expect((await f.heads.unanchored()).filter((h) => h.treeSize >= base && h.treeSize <= base + 3).map((h) => h.treeSize)).toEqual([base + 3]);
      const page = await f.heads.page(2, base + 3);
      expect(page).toEqual([
        { ...head(base + 2), anchor: null },
        { ...head(base + 1), anchor: { transactionId: 'tx-1', blockNumber: 7 } },
      ]);
    });
  });
}
