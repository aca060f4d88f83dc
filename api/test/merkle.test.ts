import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyPath,
  EMPTY_ROOT,
  Frontier,
  inclusionPath,
  leafHash,
  rangeHash,
  SubtreeCache,
  subtreeId,
  verifyConsistency,
  verifyInclusion,
  withSubtrees,
  type SubtreeHashes,
} from '../src/audit/merkle.js';

// RFC 6962 reference data (Certificate Transparency's test leaves and the root of each tree size 0..8).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  {
    first: 2,
    second: 8,
    path: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  },
];

// An independent implementation, straight from RFC 6962 §2.1 over the whole leaf list: no stored subtrees, no frontier.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.of(0), d[0]!);
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha(Buffer.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
}
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k ? [...refPath(m, d.slice(0, k)), mth(d.slice(k))] : [...refPath(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function refProof(m: number, d: Buffer[], b = true): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k ? [...refProof(m, d.slice(0, k), b), mth(d.slice(k))] : [...refProof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** Complete subtree hashes computed directly from the data (what the database holds). */
function subtreesOf(data: Buffer[]): SubtreeHashes {
  return ({ level, index }) => mth(data.slice(index * 2 ** level, (index + 1) * 2 ** level));
}

const hex = (b: Buffer) => b.toString('hex');

describe('RFC 6962 Merkle tree', () => {
  it('matches the published roots for every size 0..8', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) {
      expect(hex(rangeHash(subtreesOf(LEAVES.slice(0, n)), 0, n))).toBe(ROOTS[n]);
      const f = new Frontier(0);
      for (const l of LEAVES.slice(0, n)) f.append(leafHash(l));
      expect(hex(f.root())).toBe(ROOTS[n]);
    }
  });

  it('produces and verifies the published inclusion and consistency proofs', () => {
    const get = subtreesOf(LEAVES);
    for (const v of INCLUSION) {
      expect(inclusionPath(get, v.index, v.size).map(hex)).toEqual(v.path);
      expect(
        verifyInclusion(
          leafHash(LEAVES[v.index]!),
          v.index,
          v.size,
          v.path.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(ROOTS[v.size]!, 'hex'),
        ),
      ).toBe(true);
    }
    for (const v of CONSISTENCY) {
      expect(consistencyPath(get, v.first, v.second).map(hex)).toEqual(v.path);
      expect(
        verifyConsistency(
          v.first,
          v.second,
          Buffer.from(ROOTS[v.first]!, 'hex'),
          Buffer.from(ROOTS[v.second]!, 'hex'),
          v.path.map((h) => Buffer.from(h, 'hex')),
        ),
      ).toBe(true);
    }
  });

  it('agrees with a naive implementation for every tree up to 70 leaves, and rejects tampering', () => {
    const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
    const get = subtreesOf(data);
    const frontier = new Frontier(0);
    const stored = new Map<string, Buffer>();
    for (let n = 1; n <= data.length; n++) {
      const leaf = leafHash(data[n - 1]!);
      stored.set(`0/${n - 1}`, leaf);
      for (const c of frontier.append(leaf)) {
        expect(c.hash.equals(get(c))).toBe(true); // every subtree the frontier reports complete is right
        stored.set(`${c.level}/${c.index}`, c.hash);
      }
      const d = data.slice(0, n);
      const root = mth(d);
      expect(frontier.root().equals(root)).toBe(true);
      // Proofs from the stored subtrees only (what the log has), against the naive ones.
      const fromStore: SubtreeHashes = (k) =>
        stored.get(`${k.level}/${k.index}`) ??
        (() => {
          throw new Error(`missing ${k.level}/${k.index}`);
        })();
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(fromStore, m, n);
        expect(path.map(hex)).toEqual(refPath(m, d).map(hex));
        expect(verifyInclusion(leafHash(d[m]!), m, n, path, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), m, n, path, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(leafHash(d[m]!), (m + 1) % n, n, path, root)).toBe(false);
      }
      for (let m = 0; m <= n; m++) {
        const proof = consistencyPath(fromStore, m, n);
        expect(proof.map(hex)).toEqual(m === 0 ? [] : refProof(m, d).map(hex));
        expect(verifyConsistency(m, n, mth(d.slice(0, m)), root, proof)).toBe(true);
        if (m > 0 && m < n) {
          // A rewritten history: the old tree's root no longer matches what the new tree contains.
          const rewritten = mth([Buffer.from('rewritten'), ...d.slice(1, m)]);
          expect(verifyConsistency(m, n, rewritten, root, proof)).toBe(false);
        }
      }
    }
  });

  it('two-pass subtree loading fetches each subtree once and computes the same proof', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), async (n, seed) => {
        const data = Array.from({ length: n }, (_, i) => Buffer.from(`x${i}`));
        const m = seed % n;
        const get = subtreesOf(data);
        let loads = 0;
        const path = await withSubtrees(
          (g) => inclusionPath(g, m, n),
          async (keys) => {
            loads += 1;
            expect(keys.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)) + 1);
            return new Map(keys.map((k) => [`${k.level}/${k.index}`, get(k)]));
          },
        );
        expect(loads).toBeLessThanOrEqual(1);
        expect(path.map(hex)).toEqual(refPath(m, data).map(hex));
      }),
      { numRuns: 200 },
    );
  });
});

describe('SubtreeCache', () => {
  const key = (level: number, index: number) => ({ level, index });
  const hash = (n: number) => Buffer.alloc(32, n);

  it('keeps upper subtrees only, fetches only what it lacks, and drops the least recently used past its bound', async () => {
    const cache = new SubtreeCache(8, 2);
    const fetched: string[][] = [];
    const fetch = async (keys: { level: number; index: number }[]) => {
      fetched.push(keys.map(subtreeId));
      return new Map(keys.map((k) => [subtreeId(k), hash(k.level + k.index)]));
    };
    const first = await cache.load([key(0, 5), key(8, 1), key(9, 0)], fetch);
    expect([...first.keys()].sort()).toEqual(['0/5', '8/1', '9/0']);
    expect(cache.size).toBe(2); // the leaf is not kept
    await cache.load([key(0, 5), key(8, 1)], fetch);
    expect(fetched[1]).toEqual(['0/5']);
    await cache.load([key(10, 0)], fetch); // 9/0 was used least recently: dropped
    await cache.load([key(9, 0), key(8, 1)], fetch);
    expect(fetched[3]).toEqual(['9/0']);
    expect((await cache.load([key(8, 1)], fetch)).get('8/1')).toEqual(hash(9));
  });
});
