import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyConsistency, verifyInclusion, verifyTreeHeadSignature } from '../../web/src/audit/merkle.js';

// A reference RFC 6962 tree, written straight from §2.1 of the RFC, to check the portal's verifier against.
const h = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaf = (d: string): Buffer => h(Buffer.from([0]), Buffer.from(d));
const split = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));
function mth(d: string[]): Buffer {
  if (d.length === 1) return leaf(d[0]!);
  const k = split(d.length);
  return h(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: string[]): Buffer[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: string[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
const hex = (bs: Buffer[]): string[] => bs.map((b) => b.toString('hex'));
const entries = Array.from({ length: 13 }, (_, i) => `{"event":${i},"fields":["residence.province"]}`);

describe('the portal\'s Merkle verifier (RFC 9162)', () => {
  it('accepts every inclusion proof of the reference tree, and refuses a changed entry or root', async () => {
    for (let n = 1; n <= entries.length; n++) {
      const d = entries.slice(0, n);
      const root = mth(d).toString('hex');
      for (let m = 0; m < n; m++) {
        expect(await verifyInclusion(d[m]!, m, n, hex(path(m, d)), root)).toBe(true);
        expect(await verifyInclusion(d[m]! + ' ', m, n, hex(path(m, d)), root)).toBe(false);
      }
      if (n > 1) expect(await verifyInclusion(d[0]!, 0, n, hex(path(0, d)), mth(d.slice(1)).toString('hex'))).toBe(false);
    }
  });

  it('accepts every consistency proof of the reference tree, and refuses one against a rewritten history', async () => {
    for (let n = 2; n <= entries.length; n++) {
      const d = entries.slice(0, n);
      for (let m = 1; m < n; m++) {
        const proof = hex(subproof(m, d, true));
        expect(await verifyConsistency(m, n, proof, mth(d.slice(0, m)).toString('hex'), mth(d).toString('hex'))).toBe(true);
        const rewritten = ['rewritten', ...d.slice(1)];
        expect(await verifyConsistency(m, n, hex(subproof(m, rewritten, true)), mth(d.slice(0, m)).toString('hex'), mth(rewritten).toString('hex'))).toBe(false);
      }
    }
  });

  it('checks a signed tree head\'s Ed25519 signature over the documented message', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
    const sth = { treeSize: 13, rootHash: mth(entries).toString('hex'), timestamp: '2026-11-24T03:00:00.000Z', signature: '' };
    sth.signature = sign(null, Buffer.from(`citizen-vault-sth/v1\n${sth.treeSize}\n${sth.rootHash}\n${sth.timestamp}`), privateKey).toString('base64url');
    expect(await verifyTreeHeadSignature(sth, jwk)).toBe(true);
    expect(await verifyTreeHeadSignature({ ...sth, treeSize: 14 }, jwk)).toBe(false);
  });
});
