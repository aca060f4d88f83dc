import { ledger } from '@hyperledger/fabric-protos';

/** A committed version (block, transaction) as a read-write set records it, public or hashed. */
export function encodeVersion(version: { blockNum: number; txNum: number }): ledger.rwset.kvrwset.Version {
  const v = new ledger.rwset.kvrwset.Version();
  v.setBlockNum(version.blockNum);
  v.setTxNum(version.txNum);
  return v;
}
