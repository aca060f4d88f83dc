import * as crypto from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right),
 * a tree of n leaves splits at the largest power of two below n. The log never holds the whole
 * tree in memory: every hash it needs is a *complete, aligned subtree* (2^level leaves starting at
 * index·2^level), stored once when it completes, so a proof over ten million leaves reads ~24 rows.
 */
export const EMPTY_ROOT = crypto.createHash('sha256').digest();

/**
 * SHA-256 of `prefix ‖ data`. The log hashes two of these per append: one-shot hashing (Node ≥ 20.12)
 * over one buffer costs about a third less than a Hash object fed in pieces; older Nodes use the latter.
 */
const prefixedSha256: (prefix: number, parts: (Uint8Array | string)[]) => Buffer =
  typeof crypto.hash === 'function'
    ? (prefix, parts) => {
        let length = 1;
        for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
        const bytes = Buffer.allocUnsafe(length);
        bytes[0] = prefix;
        let at = 1;
        for (const part of parts) {
          if (typeof part === 'string') at += bytes.write(part, at);
          else {
            bytes.set(part, at);
            at += part.byteLength;
          }
        }
        return crypto.hash('sha256', bytes, 'buffer');
      }
    : (prefix, parts) => {
        const h = crypto.createHash('sha256').update(Buffer.of(prefix));
        for (const part of parts) h.update(part);
        return h.digest();
      };

export function leafHash(data: Uint8Array | string): Buffer {
  return prefixedSha256(0, [data]);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return prefixedSha256(1, [left, right]);
}

/** A complete, aligned subtree: leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf. */
export interface SubtreeKey {
  level: number;
  index: number;
}

/** Returns the hash of a complete, aligned subtree. */
export type SubtreeHashes = (key: SubtreeKey) => Buffer;

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** MTH(D[start:end]) from complete subtrees. In RFC 6962's recursion every power-of-two range is aligned. */
export function rangeHash(get: SubtreeHashes, start: number, end: number): Buffer {
  const n = end - start;
  if (n <= 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && start % n === 0) return get({ level: Math.log2(n), index: start / n });
  const k = largestPowerOfTwoBelow(n);
  return nodeHash(rangeHash(get, start, start + k), rangeHash(get, start + k, end));
}

/**
 * `rangeHash` remembering what it computed: many paths in one tree share their right-edge ranges,
 * which are the only ones that cost hashing.
 */
export function memoizedRangeHash(): typeof rangeHash {
  const memo = new Map<number, Map<number, Buffer>>();
  return (get, start, end) => {
    let byEnd = memo.get(start);
    if (!byEnd) memo.set(start, (byEnd = new Map()));
    let hash = byEnd.get(end);
    if (!hash) byEnd.set(end, (hash = rangeHash(get, start, end)));
    return hash;
  };
}

/** PATH(m, D[0:n]) of RFC 6962 §2.1.1: the audit path of leaf m in the tree of size n, leaf to root. */
export function inclusionPath(get: SubtreeHashes, leafIndex: number, treeSize: number, range: typeof rangeHash = rangeHash): Buffer[] {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize}`);
  const path: Buffer[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(range(get, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(range(get, start, start + k));
    }
  };
  walk(leafIndex, 0, treeSize);
  return path;
}

/** PROOF(m, D[0:n]) of RFC 6962 §2.1.2: proves the tree of size `first` is a prefix of the tree of size `second`. */
export function consistencyPath(get: SubtreeHashes, first: number, second: number): Buffer[] {
  if (!(first >= 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  if (first === 0 || first === second) return [];
  const proof: Buffer[] = [];
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(rangeHash(get, start, end));
      return;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(rangeHash(get, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(rangeHash(get, start, start + k));
    }
  };
  sub(first, 0, second, true);
  return proof;
}

/**
 * Runs a computation over subtree hashes in two passes: the first records which subtrees it needs,
 * `load` fetches them all at once (one database round trip), the second computes for real.
 */
export async function withSubtrees<T>(compute: (get: SubtreeHashes) => T, load: (keys: SubtreeKey[]) => Promise<Map<string, Buffer>>): Promise<T> {
  const wanted = new Map<string, SubtreeKey>();
  const zero = Buffer.alloc(32);
  compute((key) => {
    wanted.set(subtreeId(key), key);
    return zero;
  });
  const found = wanted.size === 0 ? new Map<string, Buffer>() : await load([...wanted.values()]);
  return compute((key) => {
    const hash = found.get(subtreeId(key));
    if (!hash) throw new Error(`subtree ${key.level}/${key.index} is missing from the log`);
    return hash;
  });
}

/**
 * Hashes of complete, aligned subtrees at `minLevel` and above, kept in memory for proofs. A complete
 * subtree's hash never changes once written, so nothing is ever invalidated; the least recently
 * used are dropped past `maxEntries` (about 150 bytes each). Leaves and low levels, which random
 * proofs rarely share, are not kept.
 */
export class SubtreeCache {
  private readonly hashes = new Map<string, Buffer>();
  constructor(
    private readonly minLevel = 8,
    private readonly maxEntries = 100_000,
  ) {}

  get size(): number {
    return this.hashes.size;
  }

  /** The wanted hashes: from memory where kept, the rest from `fetch` in one call. */
  async load(keys: SubtreeKey[], fetch: (missing: SubtreeKey[]) => Promise<Map<string, Buffer>>): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: SubtreeKey[] = [];
    for (const key of keys) {
      const id = subtreeId(key);
      const hash = this.hashes.get(id);
      if (hash) {
        this.hashes.delete(id); // most recently used last
        this.hashes.set(id, hash);
        found.set(id, hash);
      } else missing.push(key);
    }
    if (missing.length === 0) return found;
    const fetched = await fetch(missing);
    for (const key of missing) {
      const id = subtreeId(key);
      const hash = fetched.get(id);
      if (!hash) continue;
      found.set(id, hash);
      if (key.level >= this.minLevel) this.keep(id, hash);
    }
    return found;
  }

  private keep(id: string, hash: Buffer): void {
    this.hashes.set(id, hash);
    if (this.hashes.size > this.maxEntries) this.hashes.delete(this.hashes.keys().next().value!);
  }
}

export function subtreeId(key: SubtreeKey): string {
  return `${key.level}/${key.index}`;
}

/**
 * The right edge of a growing tree: the complete subtrees that make up the first `size` leaves,
 * largest first. Appending a leaf merges equal-sized neighbours and reports each subtree it
 * completes, so the caller stores every node exactly once.
 */
export class Frontier {
  constructor(
    public size: number,
    private readonly stack: { level: number; hash: Buffer }[] = [],
  ) {}

  /** The subtrees a tree of `size` leaves is made of (its binary decomposition), largest first. */
  static keysFor(size: number): SubtreeKey[] {
    const keys: SubtreeKey[] = [];
    let start = 0;
    for (let level = Math.floor(Math.log2(Math.max(size, 1))); level >= 0; level--) {
      const width = 2 ** level;
      if (start + width <= size) {
        keys.push({ level, index: start / width });
        start += width;
      }
    }
    return keys;
  }

  static from(size: number, hashes: Buffer[]): Frontier {
    const keys = Frontier.keysFor(size);
    if (keys.length !== hashes.length) throw new Error('a frontier needs one hash per subtree');
    return new Frontier(
      size,
      keys.map((k, i) => ({ level: k.level, hash: hashes[i] as Buffer })),
    );
  }

  clone(): Frontier {
    return new Frontier(this.size, [...this.stack]);
  }

  /** Adds the next leaf; returns the complete subtrees above level 0 that it finished. */
  append(leaf: Buffer): (SubtreeKey & { hash: Buffer })[] {
    const completed: (SubtreeKey & { hash: Buffer })[] = [];
    let node = { level: 0, hash: leaf };
    let index = this.size;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.level === node.level) {
      const left = this.stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      index = Math.floor(index / 2);
      completed.push({ level: node.level, index, hash: node.hash });
    }
    this.stack.push(node);
    this.size += 1;
    return completed;
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let hash = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = nodeHash(this.stack[i]!.hash, hash);
    return hash;
  }
}

/** RFC 9162 §2.1.3.2: does `path` prove leaf `leafIndex` with hash `leaf` is in the tree of `treeSize` with `root`? */
export function verifyInclusion(leaf: Uint8Array, leafIndex: number, treeSize: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2 — the chaincode's own check, so the API and the endorsing peers agree by construction. */
export { verifyConsistency } from '@citizen-vault/chaincode/rules';
