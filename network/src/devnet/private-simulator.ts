import { DevnetError } from './errors.js';
import { compareKeys } from './key-order.js';
import { encodeCollectionPrivateWrites, hashedNamespace, keyHash, type CollectionHashedRwSet, type CollectionPrivateWrites } from './private-rwset.js';
import { sha256 } from '@citizen-vault/ledger-format';
import type { CommittedState } from './state-db.js';
import type { Version, VersionedValue } from './world-state.js';

/** What one peer holds of private values: nothing for collections its organisation is not a member of. */
export interface PrivateStateView {
  get(namespace: string, collection: string, key: string): VersionedValue | undefined;
  /** Keys in [start, end) (end '' means no upper bound), in key order. */
  range(namespace: string, collection: string, start: string, end: string): [string, VersionedValue][];
}

type Nested<V> = Map<string, Map<string, Map<string, V>>>;

/**
 * The private-data half of a transaction simulation, as Fabric's query executor and rwset builder
 * do it: a read returns the peer's private value only if its version matches the committed hash's
 * version, reads are recorded as key hashes with versions, writes as key and value hashes plus the
 * private write set that member peers receive. Range queries on private data are read-only.
 */
export class PrivateSimulation {
  private readonly reads: Nested<Version | undefined> = new Map();
  private readonly writes: Nested<Buffer | null> = new Map();
  private readonly purges = new Set<string>();
  private queried = false;

  constructor(
    private readonly txId: string,
    private readonly hashed: Pick<CommittedState, 'get'>,
    private readonly view: PrivateStateView,
    private readonly otherWrites: () => boolean,
  ) {}

  /** core/ledger/kvledger/txmgmt/txmgr/query_executor.go GetPrivateData. */
  get(namespace: string, collection: string, key: string): Buffer {
    const value = this.view.get(namespace, collection, key);
    const hashVersion = this.hashVersion(namespace, collection, key);
    if (!sameVersion(hashVersion, value?.version)) {
      throw new DevnetError(
        'not_found',
        `private data matching public hash version is not available. Public hash version = ${showVersion(hashVersion)}, Private data version = ${showVersion(value?.version)}`,
      );
    }
    this.recordRead(namespace, collection, key, value?.version);
    return value?.value ?? Buffer.alloc(0);
  }

  /** GetPrivateDataHash: works on every peer, member of the collection or not. */
  getHash(namespace: string, collection: string, key: string): Buffer {
    const committed = this.hashed.get(hashedNamespace(namespace, collection), keyHash(key).toString('hex'));
    this.recordRead(namespace, collection, key, committed?.version);
    return committed?.value ?? Buffer.alloc(0);
  }

  /** tx_simulator.go checkPvtdataQueryPerformed: no write of any kind after a private data query. */
  assertNotQueried(): void {
    if (this.queried) {
      throw new DevnetError(
        'not_supported',
        `txid [${this.txId}]: unsuppored transaction. Transaction has already performed queries on pvt data. Writes are not allowed`,
      );
    }
  }

  put(namespace: string, collection: string, key: string, value: Buffer | null): void {
    this.assertNotQueried();
    nested(this.writes, namespace, collection).set(key, value === null || value.length === 0 ? null : value);
    this.purges.delete(JSON.stringify([namespace, collection, key]));
  }

  /** PurgePrivateData: a delete whose hashed write is marked as a purge (rwset_builder.go AddToPvtAndHashedWriteSetForPurge). */
  purge(namespace: string, collection: string, key: string): void {
    this.put(namespace, collection, key, null);
    this.purges.add(JSON.stringify([namespace, collection, key]));
  }

  /** GetPrivateDataByRange: results are not recorded for phantom checks, so Fabric allows it only before any write. */
  range(namespace: string, collection: string, start: string, end: string): [string, VersionedValue][] {
    if (this.hasWrites() || this.otherWrites()) {
      throw new DevnetError('not_supported', `txid [${this.txId}]: unsuppored transaction. Queries on pvt data is supported only in a read-only transaction`);
    }
    this.queried = true;
    return this.view.range(namespace, collection, start, end);
  }

  hasWrites(): boolean {
    for (const colls of this.writes.values()) for (const keys of colls.values()) if (keys.size > 0) return true;
    return false;
  }

  namespaces(): string[] {
    return [...new Set([...this.reads.keys(), ...this.writes.keys()])];
  }

  /** The namespace's hashed read-write sets, keys in plain-key order as Fabric's builder sorts them. */
  hashedSets(namespace: string): CollectionHashedRwSet[] {
    const reads = this.reads.get(namespace) ?? new Map<string, Map<string, Version | undefined>>();
    const writes = this.writes.get(namespace) ?? new Map<string, Map<string, Buffer | null>>();
    const collections = [...new Set([...reads.keys(), ...writes.keys()])].sort(compareKeys);
    return collections.map((collection) => {
      const collReads = [...(reads.get(collection) ?? [])].sort(([a], [b]) => compareKeys(a, b));
      const collWrites = [...(writes.get(collection) ?? [])].sort(([a], [b]) => compareKeys(a, b));
      const pvt = collWrites.length > 0 ? encodeCollectionPrivateWrites(collWrites.map(([key, value]) => ({ key, value }))) : undefined;
      return {
        collection,
        reads: collReads.map(([key, version]) => ({ keyHash: keyHash(key), version })),
        writes: collWrites.map(([key, value]) => ({
          keyHash: keyHash(key),
          valueHash: value === null ? null : sha256(value),
          isPurge: this.purges.has(JSON.stringify([namespace, collection, key])),
        })),
        pvtRwSetHash: pvt ? sha256(pvt) : Buffer.alloc(0),
      };
    });
  }

  /** Every collection written, with its private values: what the endorser hands to the transient store. */
  privateWrites(): CollectionPrivateWrites[] {
    const out: CollectionPrivateWrites[] = [];
    for (const [namespace, colls] of this.writes) {
      for (const [collection, keys] of colls) {
        if (keys.size > 0) out.push({ namespace, collection, writes: [...keys].map(([key, value]) => ({ key, value })) });
      }
    }
    return out;
  }

  /** Collections read or written, per namespace: Fabric's chaincode interest. */
  touched(): { namespace: string; collection: string; read: boolean }[] {
    const out: { namespace: string; collection: string; read: boolean }[] = [];
    for (const namespace of this.namespaces()) {
      const reads = this.reads.get(namespace);
      const colls = new Set([...(reads?.keys() ?? []), ...(this.writes.get(namespace)?.keys() ?? [])]);
      for (const collection of colls) out.push({ namespace, collection, read: reads?.has(collection) ?? false });
    }
    return out;
  }

  private hashVersion(namespace: string, collection: string, key: string): Version | undefined {
    return this.hashed.get(hashedNamespace(namespace, collection), keyHash(key).toString('hex'))?.version;
  }

  private recordRead(namespace: string, collection: string, key: string, version: Version | undefined): void {
    const reads = nested(this.reads, namespace, collection);
    if (!reads.has(key)) reads.set(key, version);
  }
}

function nested<V>(maps: Nested<V>, namespace: string, collection: string): Map<string, V> {
  let colls = maps.get(namespace);
  if (!colls) maps.set(namespace, (colls = new Map()));
  let keys = colls.get(collection);
  if (!keys) colls.set(collection, (keys = new Map()));
  return keys;
}

function sameVersion(a: Version | undefined, b: Version | undefined): boolean {
  if (!a || !b) return a === b;
  return a.blockNum === b.blockNum && a.txNum === b.txNum;
}

/** core/ledger/internal/version/version.go Height.String. */
function showVersion(v: Version | undefined): string {
  return v ? `{BlockNum: ${v.blockNum}, TxNum: ${v.txNum}}` : '<nil>';
}
