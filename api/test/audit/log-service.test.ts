import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { verifyConsistency } from '@citizen-vault/chaincode/rules';
import { describe, expect, it } from 'vitest';
import { inMemoryAccessLog, inMemoryTreeHeads, logService, verifyTreeHeadSignature, type LogKey } from '../../src/audit/index.js';
import { Frontier, leafHash, verifyInclusion } from '../../src/audit/merkle.js';
import { MemoryLedger } from '../twins/memory-ledger.js';

function logKey(keyId = 'log-test'): LogKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: (publicKey.export({ format: 'jwk' }) as { x: string }).x } };
}

/** The log service over the in-memory log, head store and ledger; `warnings` keeps what it says loudly. */
function setup(key = logKey()) {
  const tree = inMemoryAccessLog({ usable: () => false, takeUse: () => false });
  const heads = inMemoryTreeHeads();
  const ledger = new MemoryLedger(() => new Date('2026-06-01T08:00:00.000Z'));
  const warnings: string[] = [];
  const service = logService({
    tree,
    heads,
    ledger,
    key,
    options: { intervalMs: 60_000, log: (message) => void warnings.push(message), clock: { now: () => new Date('2026-06-01T08:00:00.000Z') } },
  });
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) await tree.append('record_deposit', { recordId: randomUUID() });
  };
  const root = async (size: number) => {
    const f = new Frontier(0);
    for (const l of await tree.leaves(0, size)) f.append(l.leafHash);
    return f.root().toString('hex');
  };
  return { tree, heads, ledger, service, key, warnings, append, root };
}

describe('LogService on its ports (in-memory log, heads and ledger)', () => {
  it('signs a head over the log when it has grown, with the root of its leaves, and anchors it on the ledger', async () => {
    const t = setup();
    await t.append(3);
    const head = (await t.service.publish())!;
    expect(head).toMatchObject({ treeSize: 3, rootHash: await t.root(3), timestamp: '2026-06-01T08:00:00.000Z', keyId: 'log-test' });
    expect(verifyTreeHeadSignature(head, t.key.publicJwk)).toBe(true);
    expect(verifyTreeHeadSignature({ ...head, treeSize: 4 }, t.key.publicJwk)).toBe(false);
    expect(head.anchor).toEqual({ transactionId: t.ledger.submitted[0]!.transactionId, blockNumber: 1 });
    expect(t.ledger.anchors.map((a) => [a.treeSize, a.rootHash])).toEqual([[3, head.rootHash]]);
  });

  it('signs nothing while the log has not grown, nor while it is empty', async () => {
    const t = setup();
    expect(await t.service.publish()).toBeUndefined();
    await t.append(2);
    await t.service.publish();
    await t.service.publish();
    expect(await t.service.treeHeads(10)).toHaveLength(1);
    expect(t.ledger.anchors).toHaveLength(1);
  });

  it('proves each new head consistent with the last one anchored, which the ledger checks before anchoring it', async () => {
    const t = setup();
    await t.append(3);
    await t.service.publish();
    await t.append(4);
    const head = (await t.service.publish())!;
    expect(head.treeSize).toBe(7);
    expect(head.anchor).not.toBeNull();
    expect(t.ledger.anchors.map((a) => a.treeSize)).toEqual([3, 7]);
  });

  it('keeps a head the ledger did not answer for, and anchors it on the next round', async () => {
    const t = setup();
    await t.append(2);
    t.ledger.failNextSubmit({ kind: 'unavailable' });
    await expect(t.service.publish()).rejects.toMatchObject({ code: 'ledger_unavailable' });
    expect((await t.service.latest())!.anchor).toBeNull();
    expect((await t.service.publish())!.anchor).not.toBeNull();
  });

  it('files a head the ledger refuses for good and moves on; says so loudly when the refusal means the log was rewritten', async () => {
    const t = setup();
    await t.append(3);
    await t.service.publish();
    t.tree.tamper(1, '{"v":1,"kind":"record_deposit","recordId":"forged"}', true); // history rewritten, hashes and all
    await t.append(1);
    const head = (await t.service.publish())!;
    expect(head).toMatchObject({ treeSize: 4, anchor: null });
    expect(t.warnings).toEqual(['the ledger refused a tree head as inconsistent with the anchored history: the log was rewritten']);
    expect(await t.heads.unanchored()).toEqual([]); // never retried
    expect(t.ledger.anchors.map((a) => a.treeSize)).toEqual([3]);
  });

  it('answers inclusion and consistency proofs that verify against the signed roots, and refuses sizes the log does not have', async () => {
    const t = setup();
    await t.append(5);
    const small = (await t.service.publish())!;
    await t.append(6);
    const large = (await t.service.publish())!;
    const [leaf] = await t.tree.leaves(3, 1);
    const inclusion = await t.service.inclusionProof(3, 11);
    expect(inclusion.leafHash).toBe(leafHash(leaf!.entry).toString('hex'));
    expect(
      verifyInclusion(
        leafHash(leaf!.entry),
        3,
        11,
        inclusion.auditPath.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(large.rootHash, 'hex'),
      ),
    ).toBe(true);
    const consistency = await t.service.consistencyProof(5, 11);
    expect(
      verifyConsistency(
        5,
        11,
        Buffer.from(small.rootHash, 'hex'),
        Buffer.from(large.rootHash, 'hex'),
        consistency.consistencyPath.map((h) => Buffer.from(h, 'hex')),
      ),
    ).toBe(true);
    await expect(t.service.inclusionProof(3, 12)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(t.service.inclusionProof(11, 11)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(t.service.consistencyProof(6, 5)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('serves proofs of a grown log (the size floor is raised on demand), and the same proofs after upper subtrees are kept in memory', async () => {
    const t = setup();
    await t.append(300);
    const before = await t.service.inclusionProof(7, 300);
    await expect(t.service.inclusionProof(7, 301)).rejects.toMatchObject({ code: 'invalid_request' });
    await t.append(1);
    const grown = await t.service.inclusionProof(7, 301); // above the size seen before: asked again, now there
    expect(grown.treeSize).toBe(301);
    const head = (await t.service.publish())!;
    for (const leafIndex of [7, 7, 150, 299, 300]) {
      const p = await t.service.inclusionProof(leafIndex, 301);
      const [leaf] = await t.tree.leaves(leafIndex, 1);
      expect(
        verifyInclusion(
          leaf!.leafHash,
          leafIndex,
          301,
          p.auditPath.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(head.rootHash, 'hex'),
        ),
      ).toBe(true);
    }
    expect((await t.service.inclusionProof(7, 300)).auditPath).toEqual(before.auditPath);
  });

  it('checks anchored history against the store, not against the hashes kept for proofs', async () => {
    const t = setup();
    await t.append(256);
    await t.service.publish();
    await t.append(256);
    await t.service.publish();
    await t.service.consistencyProof(256, 512); // keeps the level-8 subtree over leaves 256..511 in memory
    t.tree.tamper(300, '{"v":1,"kind":"record_deposit","recordId":"forged"}', true);
    const verdict = await t.service.verifyAnchoredHeads();
    // Both the root and the consistency proof of 512 fail: the proof was made from the store, not from the kept subtree.
    expect(verdict.problems.map((p) => [p.treeSize, /rewritten/.test(p.reason) ? 'root' : 'consistency'])).toEqual([
      [512, 'root'],
      [512, 'consistency'],
    ]);
  });

  it('finds nothing wrong with an intact log, and finds a rewritten history among the anchored heads', async () => {
    const t = setup();
    await t.append(4);
    await t.service.publish();
    await t.append(4);
    await t.service.publish();
    expect(await t.service.verifyAnchoredHeads()).toEqual({ ok: true, checked: 2, problems: [] });
    t.tree.tamper(2, '{"v":1,"kind":"record_deposit","recordId":"forged"}', true);
    const verdict = await t.service.verifyAnchoredHeads();
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.map((p) => p.treeSize)).toEqual([4, 8]);
    expect(verdict.problems[0]!.reason).toContain('the log was rewritten');
  });

  it("finds heads signed by another key than the log's", async () => {
    const t = setup();
    await t.append(2);
    await t.service.publish();
    const other = logService({
      tree: t.tree,
      heads: inMemoryTreeHeads(),
      ledger: t.ledger,
      key: logKey('log-other'),
      options: { intervalMs: 60_000, log: () => {} },
    });
    expect(await other.verifyAnchoredHeads()).toMatchObject({
      ok: false,
      problems: [{ treeSize: 2, reason: "signed by key log-test, not the log's log-other" }],
    });
  });

  it('re-hashes every leaf in the full check, catching an entry changed behind its stored hash', async () => {
    const t = setup();
    await t.append(6);
    await t.service.publish();
    expect(await t.service.verifyLeaves()).toEqual({ ok: true, checked: 6, problems: [] });
    t.tree.tamper(4, '{"v":1,"kind":"record_deposit","recordId":"forged"}', false);
    const verdict = await t.service.verifyLeaves();
    expect(verdict).toMatchObject({ ok: false, checked: 6 });
    // The changed entry itself, and the anchored root the rebuilt tree no longer reaches.
    expect(verdict.problems).toEqual([
      { leafIndex: 4, reason: 'entry does not hash to its stored leaf hash: the entry was changed' },
      { treeSize: 6, reason: expect.stringContaining('rebuilt root differs from the anchored') },
    ]);
  });
});
