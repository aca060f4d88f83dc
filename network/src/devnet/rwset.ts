import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from './key-order.js';
import { encodeVersion, encodeWrites } from './kv-encoding.js';
import { decodeCollectionHashedRwSet, encodeCollectionHashedRwSet, hashedNamespace, type CollectionHashedRwSet } from './private-rwset.js';
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
  /** Hashed reads and writes of the namespace's private data collections, sorted by collection name. */
  collections?: CollectionHashedRwSet[];
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

export function decodeRwSet(bytes: Uint8Array): NamespaceRwSet[] {
  const tx = ledger.rwset.TxReadWriteSet.deserializeBinary(bytes);
  return tx.getNsRwsetList().map((ns) => {
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
      collections: ns.getCollectionHashedRwsetList().map(decodeCollectionHashedRwSet),
    };
  });
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


function decodeRead(r: ledger.rwset.kvrwset.KVRead): KeyRead {
  const v = r.getVersion();
  return { key: r.getKey(), version: v ? { blockNum: v.getBlockNum(), txNum: v.getTxNum() } : undefined };
}
