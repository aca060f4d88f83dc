import { ledger } from '@hyperledger/fabric-protos';
import type { KeyRead, KeyWrite, NamespaceRwSet, RangeRead } from '@citizen-vault/ledger-format';
import { compareKeys } from './key-order.js';
import { encodeVersion, encodeWrites } from './kv-encoding.js';
import { encodeCollectionHashedRwSet, hashedNamespace } from './private-rwset.js';

const { kvrwset } = ledger.rwset;

export type { KeyRead, KeyWrite, RangeRead, NamespaceRwSet };

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
      kv.setWritesList(encodeWrites(set.writes));
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(set.namespace);
      ns.setRwset(kv.serializeBinary());
      const collections = [...(set.collections ?? [])].sort((a, b) => compareKeys(a.collection, b.collection));
      ns.setCollectionHashedRwsetList(collections.map(encodeCollectionHashedRwSet));
      return ns;
    }),
  );
  return tx.serializeBinary();
}

/**
 * Adds each collection's hashed reads and writes as a namespace of its own (`<ns>$$h<coll>`, keys the
 * hex key hashes, values the value hashes), so MVCC checks and state updates treat them as Fabric's
 * hashed state does. The derived namespaces carry no collections and are never endorsement targets.
 */
export function withHashedNamespaces(sets: NamespaceRwSet[]): NamespaceRwSet[] {
  const derived = sets.flatMap((ns) =>
    (ns.collections ?? []).map((c) => ({
      namespace: hashedNamespace(ns.namespace, c.collection),
      reads: c.reads.map((r) => ({ key: r.keyHash.toString('hex'), version: r.version })),
      writes: c.writes.map((w) => ({ key: w.keyHash.toString('hex'), value: w.valueHash })),
      ranges: [],
    })),
  );
  return [...sets, ...derived];
}

/** Whether a namespace is a collection's hashed state rather than a chaincode. */
export function isHashedNamespace(namespace: string): boolean {
  return namespace.includes('$$h');
}

function encodeRead(r: KeyRead): ledger.rwset.kvrwset.KVRead {
  const read = new kvrwset.KVRead();
  read.setKey(r.key);
  if (r.version) read.setVersion(encodeVersion(r.version));
  return read;
}
