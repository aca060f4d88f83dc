import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LedgerFormatError, signLowS, signLowSAsync, verifyLowS, verifyLowSAsync } from '../src/index.js';

const ORDERS = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** The same signature with s replaced by n − s: mathematically valid, but high-S. */
function highSTwin(sig: Buffer, n: bigint): Buffer {
  const rLen = sig[3]!;
  const r = sig.subarray(4, 4 + rLen);
  const s = BigInt('0x' + sig.subarray(6 + rLen).toString('hex'));
  let hex = (n - s).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let sBytes = Buffer.from(hex, 'hex');
  if (sBytes[0]! & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
  const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sBytes.length]), sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

describe('low-S ECDSA signatures', () => {
  for (const [curve, n] of Object.entries(ORDERS)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });

    it(`always signs low-S on ${curve}, and verifies`, () => {
      for (let i = 0; i < 50; i++) {
        const data = Buffer.from(`message ${i}`);
        const sig = signLowS(privateKey, data);
        const s = BigInt('0x' + sig.subarray(6 + sig[3]!).toString('hex'));
        expect(s <= n / 2n).toBe(true);
        expect(verifyLowS(publicKey, data, sig)).toBe(true);
        expect(verify('sha256', data, publicKey, sig)).toBe(true);
      }
    });

    it(`rejects the high-S twin of a valid signature on ${curve}, as Fabric does`, () => {
      const data = Buffer.from('pay 10 dong');
      const high = highSTwin(signLowS(privateKey, data), n);
      expect(verify('sha256', data, publicKey, high)).toBe(true); // mathematically valid…
      expect(verifyLowS(publicKey, data, high)).toBe(false); // …but not accepted by Fabric
    });
  }

  it('signs and verifies the same way on the thread pool', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 20; i++) {
      const data = Buffer.from(`async ${i}`);
      const sig = await signLowSAsync(privateKey, data);
      const s = BigInt('0x' + sig.subarray(6 + sig[3]!).toString('hex'));
      expect(s <= ORDERS['P-256'] / 2n).toBe(true);
      expect(await verifyLowSAsync(publicKey, data, sig)).toBe(true);
      expect(await verifyLowSAsync(publicKey, data, highSTwin(sig, ORDERS['P-256']))).toBe(false);
      expect(await verifyLowSAsync(publicKey, Buffer.from('other'), sig)).toBe(false);
    }
    expect(await verifyLowSAsync(publicKey, Buffer.from('x'), new Uint8Array())).toBe(false);
    const { privateKey: k1 } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => signLowSAsync(k1, Buffer.from('x'))).toThrow(LedgerFormatError);
  });

  it('rejects an empty signature, another message and an undecodable signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sig = signLowS(privateKey, Buffer.from('a'));
    expect(verifyLowS(publicKey, Buffer.from('a'), new Uint8Array())).toBe(false);
    expect(verifyLowS(publicKey, Buffer.from('b'), sig)).toBe(false);
    expect(verifyLowS(publicKey, Buffer.from('a'), sig.subarray(0, sig.length - 1))).toBe(false);
  });

  it('signs and verifies Ed25519 as is', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    expect(verifyLowS(publicKey, Buffer.from('x'), signLowS(privateKey, Buffer.from('x')))).toBe(true);
  });

  it('refuses a key on a curve Fabric does not use', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => signLowS(privateKey, Buffer.from('x'))).toThrow(LedgerFormatError);
  });
});
