import { ledger } from '@hyperledger/fabric-protos';
import { sha256 } from './sha256.js';

const { kvrwset } = ledger.rwset;

/** A committed key's version: the height (block, transaction) of the transaction that wrote it. */
export interface Version {
  blockNum: number;
  txNum: number;
}

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

/** A private read as the block carries it: the key's hash and the version read. */
export interface HashedRead {
  keyHash: Buffer;
  version: Version | undefined;
}

/** A private write as the block carries it: hashes only; `valueHash` null is a delete. */
export interface HashedWrite {
  keyHash: Buffer;
  valueHash: Buffer | null;
  /** PurgePrivateData: a delete that also removes the key's earlier private values from every store. */
  isPurge?: boolean;
}

/** One collection's part of a namespace's public read-write set (Fabric's `CollectionHashedReadWriteSet`). */
export interface CollectionHashedRwSet {
  collection: string;
  reads: HashedRead[];
  writes: HashedWrite[];
  /** SHA-256 of the collection's private `KVRWSet` bytes; empty when the transaction wrote nothing there. */
  pvtRwSetHash: Buffer;
}

export interface NamespaceRwSet {
  namespace: string;
  reads: KeyRead[];
  writes: KeyWrite[];
  ranges: RangeRead[];
  /** Hashed reads and writes of the namespace's private data collections, sorted by collection name. */
  collections?: CollectionHashedRwSet[];
}

/** Unpacks a transaction's `TxReadWriteSet` (the chaincode action's results). */
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

const EMPTY_HASH = sha256(new Uint8Array());

export function decodeCollectionHashedRwSet(coll: ledger.rwset.CollectionHashedReadWriteSet): CollectionHashedRwSet {
  const hashed = kvrwset.HashedRWSet.deserializeBinary(coll.getHashedRwset_asU8());
  return {
    collection: coll.getCollectionName(),
    reads: hashed.getHashedReadsList().map((r) => {
      const v = r.getVersion();
      return { keyHash: Buffer.from(r.getKeyHash_asU8()), version: v ? { blockNum: v.getBlockNum(), txNum: v.getTxNum() } : undefined };
    }),
    writes: hashed.getHashedWritesList().map((w) => {
      const valueHash = Buffer.from(w.getValueHash_asU8());
      // rwsetutil.IsKVWriteHashDelete: a delete flag, no hash, or the hash of nothing.
      const isDelete = w.getIsDelete() || valueHash.length === 0 || valueHash.equals(EMPTY_HASH);
      return { keyHash: Buffer.from(w.getKeyHash_asU8()), valueHash: isDelete ? null : valueHash, isPurge: w.getIsPurge() };
    }),
    pvtRwSetHash: Buffer.from(coll.getPvtRwsetHash_asU8()),
  };
}

function decodeRead(r: ledger.rwset.kvrwset.KVRead): KeyRead {
  const v = r.getVersion();
  return { key: r.getKey(), version: v ? { blockNum: v.getBlockNum(), txNum: v.getTxNum() } : undefined };
}
