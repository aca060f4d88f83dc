import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hexToBytes, leafHash as sdkLeafHash, verifyConsistency, verifyInclusion, verifyTreeHead } from '@citizen-vault/sdk/log-proofs';

// A reference RFC 6962 tree, written straight from §2.1 of the RFC, to check against the verifier the
// portal runs in the browser (the SDK's, WebCrypto only), for every leaf and every pair of sizes.
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
const bytes = (bs: Buffer[]): Uint8Array[] => bs.map((b) => new Uint8Array(b));
const inclusion = async (entry: string, m: number, n: number, path: Buffer[], root: Buffer) =>
  verifyInclusion(await sdkLeafHash(entry), m, n, bytes(path), new Uint8Array(root));
const entries = Array.from({ length: 13 }, (_, i) => `{"event":${i},"fields":["residence.province"]}`);

describe('the log-proof verifier the portal runs (RFC 9162)', () => {
  it('accepts every inclusion proof of the reference tree, and refuses a changed entry or root', async () => {
    for (let n = 1; n <= entries.length; n++) {
      const d = entries.slice(0, n);
      const root = mth(d);
      for (let m = 0; m < n; m++) {
        expect(await inclusion(d[m]!, m, n, path(m, d), root)).toBe(true);
        expect(await inclusion(d[m]! + ' ', m, n, path(m, d), root)).toBe(false);
      }
      if (n > 1) expect(await inclusion(d[0]!, 0, n, path(0, d), mth(d.slice(1)))).toBe(false);
    }
  });

  it('accepts every consistency proof of the reference tree, and refuses one against a rewritten history', async () => {
    for (let n = 2; n <= entries.length; n++) {
      const d = entries.slice(0, n);
      for (let m = 1; m < n; m++) {
        const proof = bytes(subproof(m, d, true));
        expect(await verifyConsistency(m, n, new Uint8Array(mth(d.slice(0, m))), new Uint8Array(mth(d)), proof)).toBe(true);
        const rewritten = ['rewritten', ...d.slice(1)];
        expect(await verifyConsistency(m, n, new Uint8Array(mth(d.slice(0, m))), new Uint8Array(mth(rewritten)), bytes(subproof(m, rewritten, true)))).toBe(
          false,
        );
      }
    }
  });

  it("checks a signed tree head's Ed25519 signature over the documented message", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
    const key = { keyId: 'log-test', jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x } };
    const sth = { treeSize: 13, rootHash: mth(entries).toString('hex'), timestamp: '2026-11-24T03:00:00.000Z', keyId: 'log-test', signature: '' };
    sth.signature = sign(null, Buffer.from(`citizen-vault-sth/v1\n${sth.treeSize}\n${sth.rootHash}\n${sth.timestamp}`), privateKey).toString('base64url');
    expect(await verifyTreeHead(sth, key)).toBe(true);
    expect(await verifyTreeHead({ ...sth, treeSize: 14 }, key)).toBe(false);
    expect(hexToBytes(sth.rootHash)).toHaveLength(32);
  });
});
