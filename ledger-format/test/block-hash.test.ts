import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '../src/index.js';

/** Fabric's BlockHeaderBytes, encoded independently with asn1js. */
function referenceHeaderHash(number: number, previous: Uint8Array, data: Uint8Array): Buffer {
  const seq = new asn1js.Sequence({
    value: [asn1js.Integer.fromBigInt(BigInt(number)), new asn1js.OctetString({ valueHex: previous }), new asn1js.OctetString({ valueHex: data })],
  });
  return createHash('sha256').update(Buffer.from(seq.toBER())).digest();
}

function header(number: number, previous: Uint8Array, dataHash: Uint8Array): common.BlockHeader {
  const h = new common.BlockHeader();
  h.setNumber(number);
  h.setPreviousHash(previous);
  h.setDataHash(dataHash);
  return h;
}

describe('block hashes', () => {
  it('hashes headers as Fabric does (ASN.1 DER of number, previous hash, data hash)', () => {
    for (const number of [0, 1, 127, 128, 255, 256, 65_535, 2 ** 40]) {
      const previous = createHash('sha256').update(String(number)).digest();
      const data = blockDataHash([Buffer.from(`tx ${number}`)]);
      expect(blockHeaderHash(header(number, previous, data)).toString('hex')).toBe(referenceHeaderHash(number, previous, data).toString('hex'));
    }
    const genesisData = blockDataHash([Buffer.from('cfg')]);
    expect(blockHeaderHash(header(0, new Uint8Array(), genesisData))).toEqual(referenceHeaderHash(0, new Uint8Array(), genesisData));
  });

  it('hashes a header whose hashes are longer than 127 bytes with long-form DER lengths', () => {
    const previous = Buffer.alloc(200, 7);
    const data = Buffer.alloc(300, 9);
    expect(blockHeaderHash(header(5, previous, data))).toEqual(referenceHeaderHash(5, previous, data));
  });

  it('hashes block data as SHA-256 over the concatenated envelopes', () => {
    const a = Buffer.from('first');
    const b = Buffer.from('second');
    expect(blockDataHash([a, b])).toEqual(
      createHash('sha256')
        .update(Buffer.concat([a, b]))
        .digest(),
    );
    expect(blockDataHash([b, a])).not.toEqual(blockDataHash([a, b]));
  });
});
