import type { common } from '@hyperledger/fabric-protos';
import { derInteger, derOctetString, derSequence } from './lib/der.js';
import { sha256 } from './sha256.js';

/** Fabric's BlockDataHash: SHA-256 over the concatenated transaction envelopes. */
export function blockDataHash(data: readonly Uint8Array[]): Buffer {
  return sha256(...data);
}

/** Fabric's BlockHeaderHash: SHA-256 of the ASN.1 DER SEQUENCE { number INTEGER, previous OCTET STRING, data OCTET STRING }. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return sha256(
    derSequence([derInteger(BigInt(header.getNumber())), derOctetString(header.getPreviousHash_asU8()), derOctetString(header.getDataHash_asU8())]),
  );
}
