import { ledger } from '@hyperledger/fabric-protos';
import { compareKeys } from './key-order.js';
import { sha256, type CollectionHashedRwSet, type HashedRead, type HashedWrite } from '@citizen-vault/ledger-format';
import { encodeVersion, encodeWrites } from './kv-encoding.js';

const { kvrwset } = ledger.rwset;

export type { HashedRead, HashedWrite, CollectionHashedRwSet };

/** The private values one transaction wrote to one collection: what member peers keep off the block. */
export interface CollectionPrivateWrites {
  namespace: string;
  collection: string;
  writes: { key: string; value: Buffer | null }[];
}

/** Fabric keeps a collection's hashed state in namespace `<ns>$$h<coll>` (privacyenabledstate); the devnet keys it by hex key hash. */
export function hashedNamespace(namespace: string, collection: string): string {
  return `${namespace}$$h${collection}`;
}

export function keyHash(key: string): Buffer {
  return sha256(Buffer.from(key, 'utf8'));
}

/** The collection's private write set as Fabric's rwset builder serializes it: writes only, sorted by key. */
export function encodeCollectionPrivateWrites(writes: CollectionPrivateWrites['writes']): Uint8Array {
  const kv = new kvrwset.KVRWSet();
  kv.setWritesList(encodeWrites(writes));
  return kv.serializeBinary();
}

/** Fabric's `TxPvtReadWriteSet` for one transaction: namespaces and collections sorted by name. */
export function encodeTxPrivateWrites(sets: readonly CollectionPrivateWrites[]): ledger.rwset.TxPvtReadWriteSet {
  const tx = new ledger.rwset.TxPvtReadWriteSet();
  tx.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
  const namespaces = [...new Set(sets.map((s) => s.namespace))].sort(compareKeys);
  tx.setNsPvtRwsetList(
    namespaces.map((namespace) => {
      const ns = new ledger.rwset.NsPvtReadWriteSet();
      ns.setNamespace(namespace);
      ns.setCollectionPvtRwsetList(
        sets
          .filter((s) => s.namespace === namespace)
          .sort((a, b) => compareKeys(a.collection, b.collection))
          .map((s) => {
            const coll = new ledger.rwset.CollectionPvtReadWriteSet();
            coll.setCollectionName(s.collection);
            coll.setRwset(encodeCollectionPrivateWrites(s.writes));
            return coll;
          }),
      );
      return ns;
    }),
  );
  return tx;
}

/** Unpacks a `TxPvtReadWriteSet`, keeping each collection's raw `KVRWSet` bytes for hash checks. */
export function decodeTxPrivateWrites(tx: ledger.rwset.TxPvtReadWriteSet): (CollectionPrivateWrites & { rwSetBytes: Uint8Array })[] {
  return tx.getNsPvtRwsetList().flatMap((ns) =>
    ns.getCollectionPvtRwsetList().map((coll) => {
      const rwSetBytes = coll.getRwset_asU8();
      const kv = kvrwset.KVRWSet.deserializeBinary(rwSetBytes);
      return {
        namespace: ns.getNamespace(),
        collection: coll.getCollectionName(),
        rwSetBytes,
        // An empty value is a delete, as in Fabric (FAB-18386).
        writes: kv
          .getWritesList()
          .map((w) => ({ key: w.getKey(), value: w.getIsDelete() || w.getValue_asU8().length === 0 ? null : Buffer.from(w.getValue_asU8()) })),
      };
    }),
  );
}

/** Keeps only the collections `keep` accepts; undefined when nothing is left. */
export function filterTxPrivateWrites(
  tx: ledger.rwset.TxPvtReadWriteSet,
  keep: (namespace: string, collection: string) => boolean,
): ledger.rwset.TxPvtReadWriteSet | undefined {
  const out = new ledger.rwset.TxPvtReadWriteSet();
  out.setDataModel(tx.getDataModel());
  const namespaces = tx
    .getNsPvtRwsetList()
    .map((ns) => {
      const kept = new ledger.rwset.NsPvtReadWriteSet();
      kept.setNamespace(ns.getNamespace());
      kept.setCollectionPvtRwsetList(ns.getCollectionPvtRwsetList().filter((c) => keep(ns.getNamespace(), c.getCollectionName())));
      return kept;
    })
    .filter((ns) => ns.getCollectionPvtRwsetList().length > 0);
  if (namespaces.length === 0) return undefined;
  out.setNsPvtRwsetList(namespaces);
  return out;
}

export function encodeCollectionHashedRwSet(set: CollectionHashedRwSet): ledger.rwset.CollectionHashedReadWriteSet {
  const hashed = new kvrwset.HashedRWSet();
  hashed.setHashedReadsList(
    set.reads.map((r) => {
      const read = new kvrwset.KVReadHash();
      read.setKeyHash(r.keyHash);
      if (r.version) read.setVersion(encodeVersion(r.version));
      return read;
    }),
  );
  hashed.setHashedWritesList(
    set.writes.map((w) => {
      const write = new kvrwset.KVWriteHash();
      write.setKeyHash(w.keyHash);
      write.setIsDelete(w.valueHash === null);
      if (w.valueHash !== null) write.setValueHash(w.valueHash);
      if (w.isPurge) write.setIsPurge(true);
      return write;
    }),
  );
  const coll = new ledger.rwset.CollectionHashedReadWriteSet();
  coll.setCollectionName(set.collection);
  coll.setHashedRwset(hashed.serializeBinary());
  if (set.pvtRwSetHash.length > 0) coll.setPvtRwsetHash(set.pvtRwSetHash);
  return coll;
}
