import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash, buildBlock } from '../src/devnet/block-format.js';
import { signLowS, verifySignature } from '../src/devnet/signature.js';

/** Fabric's BlockHeaderBytes, encoded independently with asn1js. */
function referenceHeaderHash(number: number, previous: Uint8Array, data: Uint8Array): Buffer {
  const seq = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(BigInt(number)),
      new asn1js.OctetString({ valueHex: previous }),
      new asn1js.OctetString({ valueHex: data }),
    ],
  });
  return createHash('sha256').update(Buffer.from(seq.toBER())).digest();
}

describe('block format', () => {
  it('hashes headers as Fabric does (ASN.1 DER of number, previous hash, data hash)', () => {
    for (const number of [0, 1, 127, 128, 255, 256, 65_535, 2 ** 40]) {
      const block = buildBlock(number, createHash('sha256').update(String(number)).digest(), [Buffer.from('tx')], [0]);
      const h = block.getHeader()!;
      expect(blockHeaderHash(h).toString('hex')).toBe(referenceHeaderHash(number, h.getPreviousHash_asU8(), h.getDataHash_asU8()).toString('hex'));
    }
    const genesisLike = buildBlock(0, new Uint8Array(), [Buffer.from('cfg')], [0]).getHeader()!;
    expect(blockHeaderHash(genesisLike)).toEqual(referenceHeaderHash(0, new Uint8Array(), genesisLike.getDataHash_asU8()));
  });

  it('hashes block data as SHA-256 over the concatenated envelopes', () => {
    const a = Buffer.from('first');
    const b = Buffer.from('second');
    expect(blockDataHash([a, b])).toEqual(createHash('sha256').update(Buffer.concat([a, b])).digest());
  });

  it('records one validation code per transaction in the TRANSACTIONS_FILTER metadata', () => {
    const block = buildBlock(3, Buffer.alloc(32), [Buffer.from('a'), Buffer.from('b')], [0, 11]);
    const filter = block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    expect([...filter!]).toEqual([0, 11]);
    expect(block.getMetadata()!.getMetadataList().length).toBe(5);
  });
});

describe('ECDSA signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('always signs low-S, and verifies', () => {
    for (let i = 0; i < 50; i++) {
      const data = Buffer.from(`message ${i}`);
      const sig = signLowS(privateKey, data);
      expect(verifySignature(publicKey, data, sig)).toBe(true);
      expect(verify('sha256', data, publicKey, sig)).toBe(true);
    }
  });

  it('rejects the high-S twin of a valid signature, as Fabric does', () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const data = Buffer.from('pay 10 dong');
    const sig = signLowS(privateKey, data);
    const rLen = sig[3]!;
    const r = sig.subarray(4, 4 + rLen);
    const s = BigInt('0x' + sig.subarray(6 + rLen).toString('hex'));
    let hex = (n - s).toString(16);
    if (hex.length % 2) hex = '0' + hex;
    let sBytes = Buffer.from(hex, 'hex');
    if (sBytes[0]! & 0x80) sBytes = Buffer.concat([Buffer.from([0]), sBytes]);
    const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sBytes.length]), sBytes]);
    const high = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    expect(verify('sha256', data, publicKey, high)).toBe(true); // mathematically valid…
    expect(verifySignature(publicKey, data, high)).toBe(false); // …but not accepted by Fabric
  });
});
