import { common, peer } from '@hyperledger/fabric-protos';

const CODE_NAMES = Object.fromEntries(Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name]));

/** The name of a Fabric transaction validation code, e.g. 11 → `MVCC_READ_CONFLICT`. */
export function validationCodeName(code: number): string {
  return CODE_NAMES[code] ?? `UNKNOWN_${code}`;
}

/** A block's TRANSACTIONS_FILTER metadata: one validation code per transaction. */
export function transactionFilter(block: common.Block): Uint8Array {
  return block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
}
