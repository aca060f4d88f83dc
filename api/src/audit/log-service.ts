import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { loadOrCreateKeyFile } from '../infra/key-file.js';
import { DomainError } from '../errors/index.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { Worker } from '../infra/worker.js';
import type { LogTree, StoredTreeHead, TreeHead, TreeHeadStore } from './log-ports.js';
import type { LogLedger } from './ports.js';
import { consistencyPath, Frontier, inclusionPath, leafHash, memoizedRangeHash, rangeHash, SubtreeCache, verifyConsistency, withSubtrees } from './merkle.js';

/** The log's Ed25519 key; its id is derived from the public key, so a key change is visible. */
export interface LogKey {
  keyId: string;
  privateKey: KeyObject;
  publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
}

export async function loadOrCreateLogKey(path: string): Promise<LogKey> {
  const pem = await loadOrCreateKeyFile(path, () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const privateKey = createPrivateKey(pem);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string };
  const keyId = `log-${createHash('sha256').update(Buffer.from(jwk.x, 'base64url')).digest('hex').slice(0, 16)}`;
  return { keyId, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } };
}

export type { StoredTreeHead, TreeHead } from './log-ports.js';

/** What a tree head's signature covers: fixed, line-separated, versioned. */
export function treeHeadMessage(h: Pick<TreeHead, 'treeSize' | 'rootHash' | 'timestamp'>): Buffer {
  return Buffer.from(`citizen-vault-sth/v1\n${h.treeSize}\n${h.rootHash}\n${h.timestamp}`, 'utf8');
}

export function verifyTreeHeadSignature(h: TreeHead, publicJwk: LogKey['publicJwk']): boolean {
  try {
    return verify(null, treeHeadMessage(h), createPublicKey({ key: publicJwk, format: 'jwk' }), Buffer.from(h.signature, 'base64url'));
  } catch {
    return false;
  }
}

export interface LogProblem {
  treeSize?: number;
  leafIndex?: number;
  reason: string;
}

export interface LogVerification {
  ok: boolean;
  checked: number;
  problems: LogProblem[];
}

/**
 * Signs tree heads, anchors them on the ledger, and answers proofs. Every `intervalMs`, if the log
 * has grown, it signs a head over the committed size and anchors it through the chaincode's
 * `anchors` contract (which refuses a smaller size or another root for the same size). Heads are
 * anchored in order; one that fails is retried on the next tick.
 */
export class LogService implements Worker {
  readonly name = 'log-tree-heads';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private readonly clock: Clock;
  /** Upper subtrees for proofs: written once, never changed, so kept without invalidation. */
  private readonly proofSubtrees = new SubtreeCache();
  /** The log never shrinks: a size seen once is a floor that needs no second look. */
  private committedSize = 0;

  constructor(
    private readonly tree: LogTree,
    private readonly heads: TreeHeadStore,
    private readonly ledger: LogLedger,
    readonly key: LogKey,
    private readonly options: { intervalMs: number; log: (message: string, fields: Record<string, unknown>) => void; clock?: Clock },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    const tick = (): void => {
      this.running = this.publish()
        .then(() => undefined)
        .catch((err: unknown) => this.options.log('tree head not published; retrying', { error: String(err) }))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    clearTimeout(timer);
    await this.running;
  }

  async size(): Promise<number> {
    return this.tree.size();
  }

  /** Signs a head if the log grew, then anchors whatever is not anchored yet. Returns the latest head. */
  async publish(): Promise<StoredTreeHead | undefined> {
    const size = await this.size();
    const last = await this.heads.latestSize();
    if (size > 0 && (last === undefined || last < size)) {
      const rootHash = (await this.rootAt(size)).toString('hex');
      const timestamp = this.clock.now().toISOString();
      const signature = sign(null, treeHeadMessage({ treeSize: size, rootHash, timestamp }), this.key.privateKey).toString('base64url');
      await this.heads.insert({ treeSize: size, rootHash, timestamp, keyId: this.key.keyId, signature });
    }
    for (const head of await this.heads.unanchored()) {
      try {
        // The chaincode wants proof that this head extends the one it anchored last (whoever anchored it).
        const previous = await this.ledger.evaluate('anchors', 'GetLatestTreeHead').then(
          (bytes) => JSON.parse(Buffer.from(bytes).toString()) as TreeHead,
          (err: unknown) => {
            if ((err as { code?: string }).code === 'not_found') return undefined;
            throw err;
          },
        );
        const proof =
          previous && previous.treeSize < head.treeSize ? (await this.consistencyProof(previous.treeSize, head.treeSize)).consistencyPath : undefined;
        const receipt = await this.ledger.submitWithReceipt(
          'anchors',
          'AnchorTreeHead',
          JSON.stringify({ ...head, ...(proof ? { consistencyProof: proof } : {}) }),
        );
        await this.heads.markAnchored(head.treeSize, { transactionId: receipt.transactionId, blockNumber: receipt.blockNumber });
      } catch (err) {
        const code = (err as { code?: string }).code;
        // Refused for good (another instance anchored a larger head first): keep the head, say why, move on.
        // Refused as inconsistent: this log no longer extends what the ledger holds. Loud, and never retried.
        if (code === 'anchor_not_monotonic' || code === 'anchor_not_consistent' || code === 'invalid_argument') {
          if (code === 'anchor_not_consistent')
            this.options.log('the ledger refused a tree head as inconsistent with the anchored history: the log was rewritten', { treeSize: head.treeSize });
          await this.heads.markRefused(head.treeSize, String((err as Error).message));
          continue;
        }
        throw err;
      }
    }
    return this.latest();
  }

  async latest(): Promise<StoredTreeHead | undefined> {
    return this.heads.latest();
  }

  /** Tree heads newest first, a page at a time before `beforeSize`. */
  async treeHeads(limit: number, beforeSize?: number): Promise<StoredTreeHead[]> {
    return this.heads.page(limit, beforeSize);
  }

  async rootAt(size: number): Promise<Buffer> {
    return withSubtrees(
      (get) => rangeHash(get, 0, size),
      (keys) => this.tree.subtrees(keys),
    );
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<{ leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] }> {
    await this.requireCommitted(treeSize, 'treeSize');
    if (leafIndex >= treeSize) throw new DomainError('invalid_request', `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
    const { path, leaf } = await withSubtrees(
      (get) => ({ path: inclusionPath(get, leafIndex, treeSize), leaf: get({ level: 0, index: leafIndex }) }),
      (keys) => this.proofSubtrees.load(keys, (missing) => this.tree.subtrees(missing)),
    );
    return { leafIndex, treeSize, leafHash: leaf.toString('hex'), auditPath: path.map((h) => h.toString('hex')) };
  }

  /** Inclusion proofs of many leaves in one tree, loading the subtrees they share once per chunk (a citizen's export). */
  async inclusionProofs(leafIndices: readonly number[], treeSize: number): Promise<{ leafIndex: number; leafHash: string; auditPath: string[] }[]> {
    await this.requireCommitted(treeSize, 'treeSize');
    const proofs: { leafIndex: number; leafHash: string; auditPath: string[] }[] = [];
    for (let i = 0; i < leafIndices.length; i += 2_000) {
      const chunk = leafIndices.slice(i, i + 2_000);
      for (const leafIndex of chunk)
        if (leafIndex >= treeSize) throw new DomainError('invalid_request', `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
      const computed = await withSubtrees(
        (get) => {
          const range = memoizedRangeHash();
          return chunk.map((leafIndex) => ({ leafIndex, leaf: get({ level: 0, index: leafIndex }), path: inclusionPath(get, leafIndex, treeSize, range) }));
        },
        (keys) => this.proofSubtrees.load(keys, (missing) => this.tree.subtrees(missing)),
      );
      for (const p of computed) proofs.push({ leafIndex: p.leafIndex, leafHash: p.leaf.toString('hex'), auditPath: p.path.map((h) => h.toString('hex')) });
    }
    return proofs;
  }

  /** `fresh` reads every hash from the store (the anchored-history check must see the log as it is now). */
  async consistencyProof(first: number, second: number, { fresh = false } = {}): Promise<{ first: number; second: number; consistencyPath: string[] }> {
    await this.requireCommitted(second, 'second');
    if (first > second) throw new DomainError('invalid_request', 'first must not be larger than second');
    const path = await withSubtrees(
      (get) => consistencyPath(get, first, second),
      (keys) => (fresh ? this.tree.subtrees(keys) : this.proofSubtrees.load(keys, (missing) => this.tree.subtrees(missing))),
    );
    return { first, second, consistencyPath: path.map((h) => h.toString('hex')) };
  }

  /** Refuses a tree size the log has not reached; asks the store only when the size is above every size seen. */
  private async requireCommitted(treeSize: number, name: string): Promise<void> {
    if (treeSize <= this.committedSize) return;
    this.committedSize = Math.max(this.committedSize, await this.size());
    if (treeSize > this.committedSize) throw new DomainError('invalid_request', `the log has ${this.committedSize} leaves, fewer than ${name} ${treeSize}`);
  }

  /** The tree heads anchored on the ledger, oldest first, as the chaincode holds them. */
  async anchoredTreeHeads(): Promise<(TreeHead & { sequence: number; anchoredAt: string })[]> {
    const heads: (TreeHead & { sequence: number; anchoredAt: string })[] = [];
    let bookmark = '';
    for (;;) {
      const page = JSON.parse(Buffer.from(await this.ledger.evaluate('anchors', 'ListTreeHeads', '200', bookmark)).toString()) as {
        items: (TreeHead & { sequence: number; anchoredAt: string })[];
        bookmark: string;
      };
      heads.push(...page.items);
      if (!page.bookmark || page.items.length === 0) return heads;
      bookmark = page.bookmark;
    }
  }

  /**
   * Checks the heads anchored on the ledger against this log: each is signed by the log key, each
   * root is the root the log computes for that size today, and each is consistent with the one
   * before it (an RFC 6962 consistency proof, verified). A rewritten history fails the last two.
   */
  async verifyAnchoredHeads(onProgress?: (checked: number, total: number) => void): Promise<LogVerification> {
    const heads = await this.anchoredTreeHeads();
    const problems: LogProblem[] = [];
    const size = await this.size();
    let previous: TreeHead | undefined;
    let checked = 0;
    for (const head of heads) {
      if (head.keyId !== this.key.keyId) problems.push({ treeSize: head.treeSize, reason: `signed by key ${head.keyId}, not the log's ${this.key.keyId}` });
      else if (!verifyTreeHeadSignature(head, this.key.publicJwk)) problems.push({ treeSize: head.treeSize, reason: 'signature does not verify' });
      if (head.treeSize > size) {
        problems.push({ treeSize: head.treeSize, reason: `anchored size ${head.treeSize} is larger than the log (${size} leaves): leaves were removed` });
      } else {
        const root = (await this.rootAt(head.treeSize)).toString('hex');
        if (root !== head.rootHash)
          problems.push({
            treeSize: head.treeSize,
            reason: `the log's root for this size is ${root}, the ledger anchored ${head.rootHash}: the log was rewritten`,
          });
        if (previous && previous.treeSize <= head.treeSize) {
          const proof = await this.consistencyProof(previous.treeSize, head.treeSize, { fresh: true });
          const ok = verifyConsistency(
            previous.treeSize,
            head.treeSize,
            Buffer.from(previous.rootHash, 'hex'),
            Buffer.from(head.rootHash, 'hex'),
            proof.consistencyPath.map((h) => Buffer.from(h, 'hex')),
          );
          if (!ok) problems.push({ treeSize: head.treeSize, reason: `not consistent with the head of size ${previous.treeSize} before it` });
        }
      }
      previous = head;
      // Counted apart from the call: `onProgress?.(++checked)` skips the increment when there is no callback.
      checked++;
      onProgress?.(checked, heads.length);
    }
    return { ok: problems.length === 0, checked, problems };
  }

  /**
   * The full audit: re-hashes every leaf from its stored entry and rebuilds the tree from scratch,
   * comparing each leaf hash and the root at every anchored size. Catches a tampered entry even
   * where the stored hashes were left alone. Reads the leaves in pages, so memory stays flat.
   */
  async verifyLeaves(onProgress?: (checked: number, total: number) => void): Promise<LogVerification> {
    const anchored = new Map((await this.anchoredTreeHeads()).map((h) => [h.treeSize, h.rootHash]));
    const total = await this.size();
    const problems: LogProblem[] = [];
    const frontier = new Frontier(0);
    const check = (): void => {
      const expected = anchored.get(frontier.size);
      if (expected !== undefined && frontier.root().toString('hex') !== expected) {
        problems.push({ treeSize: frontier.size, reason: `rebuilt root differs from the anchored ${expected}` });
      }
    };
    while (frontier.size < total && problems.length < 100) {
      const rows = await this.tree.leaves(frontier.size, 10_000);
      if (rows.length === 0) break;
      for (const row of rows) {
        const index = row.leafIndex;
        if (index !== frontier.size) {
          problems.push({ leafIndex: frontier.size, reason: 'leaf missing' });
          return { ok: false, checked: frontier.size, problems };
        }
        const hash = leafHash(row.entry);
        if (!hash.equals(row.leafHash)) problems.push({ leafIndex: index, reason: 'entry does not hash to its stored leaf hash: the entry was changed' });
        frontier.append(hash);
        check();
      }
      onProgress?.(frontier.size, total);
    }
    for (const size of anchored.keys()) if (size > total) problems.push({ treeSize: size, reason: 'anchored size is larger than the log' });
    return { ok: problems.length === 0, checked: frontier.size, problems };
  }
}
