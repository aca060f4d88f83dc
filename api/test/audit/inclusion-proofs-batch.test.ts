import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inMemoryAccessLog, inMemoryTreeHeads, logService, type LogKey } from '../../src/audit/index.js';
import { Frontier, verifyInclusion } from '../../src/audit/merkle.js';
import { MemoryLedger } from '../twins/memory-ledger.js';

function logKey(): LogKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: 'log-test', privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: (publicKey.export({ format: 'jwk' }) as { x: string }).x } };
}

describe("LogService.inclusionProofs: many leaves' proofs at once (a citizen's export)", () => {
  it('answers, for every leaf and tree size, the same proof as one leaf at a time, and each verifies against the root', async () => {
    const tree = inMemoryAccessLog({ usable: () => false, takeUse: () => false });
    const service = logService({
      tree,
      heads: inMemoryTreeHeads(),
      ledger: new MemoryLedger(() => new Date('2026-06-01T08:00:00.000Z')),
      key: logKey(),
      options: { intervalMs: 60_000, log: () => {} },
    });
    for (let i = 0; i < 37; i++) await tree.append('record_deposit', { recordId: randomUUID() });
    const leaves = await tree.leaves(0, 37);
    for (const size of [1, 2, 3, 8, 13, 32, 37]) {
      const frontier = new Frontier(0);
      for (const l of leaves.slice(0, size)) frontier.append(l.leafHash);
      const wanted = Array.from({ length: size }, (_, i) => size - 1 - i); // newest first, as an export asks
      const batch = await service.inclusionProofs(wanted, size);
      expect(batch.map((p) => p.leafIndex)).toEqual(wanted);
      for (const p of batch) {
        const one = await service.inclusionProof(p.leafIndex, size);
        expect(p).toEqual({ leafIndex: one.leafIndex, leafHash: one.leafHash, auditPath: one.auditPath });
        const path = p.auditPath.map((h) => Buffer.from(h, 'hex'));
        expect(verifyInclusion(Buffer.from(p.leafHash, 'hex'), p.leafIndex, size, path, frontier.root())).toBe(true);
      }
    }
    await expect(service.inclusionProofs([5], 5)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(service.inclusionProofs([0], 38)).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
