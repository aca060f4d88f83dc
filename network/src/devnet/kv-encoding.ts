import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from './key-order.js';

const { kvrwset } = ledger.rwset;

/** A committed version (block, transaction) as a read-write set records it, public or hashed. */
export function encodeVersion(version: { blockNum: number; txNum: number }): ledger.rwset.kvrwset.Version {
  const v = new kvrwset.Version();
  v.setBlockNum(version.blockNum);
  v.setTxNum(version.txNum);
  return v;
}

/** Writes in key order, as Fabric's read-write set builder sorts them; a null value is a delete. */
export function encodeWrites(writes: Iterable<{ key: string; value: Uint8Array | null }>): ledger.rwset.kvrwset.KVWrite[] {
  return [...writes]
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((w) => {
      const write = new kvrwset.KVWrite();
      write.setKey(w.key);
      write.setIsDelete(w.value === null);
      if (w.value !== null) write.setValue(w.value);
      return write;
    });
}
