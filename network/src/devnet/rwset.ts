import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from './key-order.js';
import type { Version } from './world-state.js';

const { kvrwset } = ledger.rwset;

/** A key read during simulation; `version` undefined means the key did not exist. */
export interface KeyRead {
  key: string;
  version: Version | undefined;
}

export interface KeyWrite {
  key: string;
  value: Buffer | null;
}

export interface RangeRead {
  startKey: string;
  endKey: string;
  itrExhausted: boolean;
  reads: KeyRead[];
}

export interface NamespaceRwSet {
  namespace: string;
  reads: KeyRead[];
  writes: KeyWrite[];
  ranges: RangeRead[];
}

/** Encodes a transaction's read-write set as Fabric's `TxReadWriteSet`, namespaces and keys sorted. */
export function encodeRwSet(sets: NamespaceRwSet[]): Uint8Array {
  const tx = new ledger.rwset.TxReadWriteSet();
  tx.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  const sorted = [...sets].sort((a, b) => compareKeys(a.namespace, b.namespace));
  tx.setNsRwsetList(
    sorted.map((set) => {
      const kv = new kvrwset.KVRWSet();
      kv.setReadsList([...set.reads].sort((a, b) => compareKeys(a.key, b.key)).map(encodeRead));
      kv.setRangeQueriesInfoList(
        set.ranges.map((r) => {
          const info = new kvrwset.RangeQueryInfo();
          info.setStartKey(r.startKey);
          info.setEndKey(r.endKey);
          info.setItrExhausted(r.itrExhausted);
          const raw = new kvrwset.QueryReads();
          raw.setKvReadsList(r.reads.map(encodeRead));
          info.setRawReads(raw);
          return info;
        }),
      );
      kv.setWritesList(
        [...set.writes]
          .sort((a, b) => compareKeys(a.key, b.key))
          .map((w) => {
            const write = new kvrwset.KVWrite();
            write.setKey(w.key);
            write.setIsDelete(w.value === null);
            if (w.value !== null) write.setValue(w.value);
            return write;
          }),
      );
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(set.namespace);
      ns.setRwset(kv.serializeBinary());
      return ns;
    }),
  );
  return tx.serializeBinary();
}

export function decodeRwSet(bytes: Uint8Array): NamespaceRwSet[] {
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return tx.getNsRwsetList().map((ns) => {
    if (ns.getCollectionHashedRwsetList().length > 0) {
      throw new Error('private data read-write sets are not supported');
    }
    const kv = kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
    return {
      namespace: ns.getNamespace(),
      reads: kv.getReadsList().map(decodeRead),
      writes: kv.getWritesList().map((w) => ({
        key: w.getKey(),
        value: w.getIsDelete() ? null : Buffer.from(w.getValue_asU8()),
      })),
      ranges: kv.getRangeQueriesInfoList().map((r) => ({
        startKey: r.getStartKey(),
        endKey: r.getEndKey(),
        itrExhausted: r.getItrExhausted(),
        reads: r.getRawReads()?.getKvReadsList().map(decodeRead) ?? [],
      })),
    };
  });
}

function encodeRead(r: KeyRead): ledger.rwset.kvrwset.KVRead {
  const read = new kvrwset.KVRead();
  read.setKey(r.key);
  if (r.version) {
    const v = new kvrwset.Version();
    v.setBlockNum(r.version.blockNum);
    v.setTxNum(r.version.txNum);
    read.setVersion(v);
  }
  return read;
}

function decodeRead(r: ledger.rwset.kvrwset.KVRead): KeyRead {
  const v = r.getVersion();
  return { key: r.getKey(), version: v ? { blockNum: v.getBlockNum(), txNum: v.getTxNum() } : undefined };
}
