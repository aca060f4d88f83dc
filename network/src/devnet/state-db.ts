import { rm } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { compareKeys } from './key-order.js';
import type { KeyModification, StateWrite, Version, VersionedValue } from './world-state.js';

/** A committed transaction's validation code and block, as the transaction index keeps it. */
export interface TxStatus {
  code: number;
  blockNumber: number;
}

/** Committed state as simulation and validation read it: point reads are synchronous, scans are not. */
export interface CommittedState {
  get(namespace: string, key: string): VersionedValue | undefined;
  /** Keys in [start, end) (end '' means no upper bound), strictly after `after` when given, at most `limit`. */
  range(namespace: string, start: string, end: string, limit: number, after?: string): Promise<[string, VersionedValue][]>;
  /** A key's modifications, oldest first. */
  historyFor(namespace: string, key: string): Promise<KeyModification[]>;
}

// One LevelDB per channel, as a Fabric peer keeps its state, history and block indexes in LevelDB.
// Keys are UTF-8, so LevelDB's byte order is Fabric's key order (see key-order.ts). Namespaces
// never contain NUL, which separates them from keys.
const STATE = 's';
const HISTORY = 'h';
const TX = 't';
const BLOCK_HASH = 'b';
const PURGE = 'u';
const META = 'm';

const stateKey = (ns: string, key: string): string => `${STATE}${ns}\0${key}`;
const historyPrefix = (ns: string, key: string): string => `${HISTORY}${ns}\0${key}\0`;
/** Block and transaction numbers as fixed-width hex, so history entries sort oldest first. */
const height = (v: Version): string => v.blockNum.toString(16).padStart(13, '0') + v.txNum.toString(16).padStart(8, '0');
const HEIGHT_LENGTH = 21;

/**
 * The channel's world state, key history, transaction index, block-hash index and private-data
 * purge marks, on disk in LevelDB with a bounded block cache, so memory stays flat however many
 * transactions the ledger holds. Each block's changes are written in one atomic batch together with
 * the savepoint (the height applied and the last header hash): after a restart only the blocks
 * past the savepoint are replayed.
 */
export class StateDb implements CommittedState {
  private constructor(private readonly db: ClassicLevel<string, Buffer>) {}

  static async open(dir: string, options: { cacheBytes?: number } = {}): Promise<StateDb> {
    const db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer', cacheSize: options.cacheBytes ?? 16 * 1024 * 1024 });
    await db.open();
    return new StateDb(db);
  }

  /** Deletes every entry: the state is rebuilt from the blocks. */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  /** Blocks applied (0 for a new database) and the header hash of the last one. */
  savepoint(): { height: number; lastHeaderHash: Buffer } {
    const meta = this.db.getSync(META);
    if (!meta) return { height: 0, lastHeaderHash: Buffer.alloc(0) };
    return { height: meta.readUIntBE(0, 6), lastHeaderHash: Buffer.from(meta.subarray(6)) };
  }

  get(namespace: string, key: string): VersionedValue | undefined {
    const bytes = this.db.getSync(stateKey(namespace, key));
    return bytes ? decodeVersioned(bytes) : undefined;
  }

  async range(namespace: string, start: string, end: string, limit: number, after?: string): Promise<[string, VersionedValue][]> {
    const prefix = `${STATE}${namespace}\0`;
    const lower = after !== undefined && compareKeys(after, start) >= 0 ? { gt: prefix + after } : { gte: prefix + start };
    const entries = await this.db.iterator({ ...lower, lt: end === '' ? `${STATE}${namespace}\x01` : prefix + end, limit }).all();
    return entries.map(([k, v]) => [k.slice(prefix.length), decodeVersioned(v)]);
  }

  async historyFor(namespace: string, key: string): Promise<KeyModification[]> {
    const prefix = historyPrefix(namespace, key);
    const entries = await this.db.iterator({ gte: prefix, lt: prefix + '\x7f' }).all();
    // A composite key may extend this one (`key\0...`): its entries are longer.
    return entries.filter(([k]) => k.length === prefix.length + HEIGHT_LENGTH).map(([, v]) => decodeModification(v));
  }

  txStatus(txId: string): TxStatus | undefined {
    const bytes = this.db.getSync(TX + txId);
    return bytes ? { code: bytes[0]!, blockNumber: bytes.readUIntBE(1, 6) } : undefined;
  }

  blockNumberByHash(headerHash: Uint8Array): number | undefined {
    const bytes = this.db.getSync(BLOCK_HASH + Buffer.from(headerHash).toString('hex'));
    return bytes?.readUIntBE(0, 6);
  }

  /** Block of the latest PurgePrivateData of a private key (`<ns>$$h<coll>/<hex key hash>`). */
  purgedAt(hashedKey: string): number | undefined {
    return this.db.getSync(PURGE + hashedKey)?.readUIntBE(0, 6);
  }

  /** Every key of a namespace with its version, in key order: for rebuilding schedules after a restart. */
  async *entries(namespace: string): AsyncGenerator<[string, Version]> {
    const prefix = `${STATE}${namespace}\0`;
    for await (const [k, v] of this.db.iterator({ gte: prefix, lt: `${STATE}${namespace}\x01` })) yield [k.slice(prefix.length), decodeVersioned(v).version];
  }

  /** Namespaces that hold state. */
  async namespaces(): Promise<string[]> {
    const out: string[] = [];
    let from = STATE;
    for (;;) {
      const [first] = await this.db.keys({ gte: from, lt: `${STATE}\uffff`, limit: 1 }).all();
      if (first === undefined) return out;
      const ns = first.slice(1, first.indexOf('\0'));
      out.push(ns);
      from = `${STATE}${ns}\x01`;
    }
  }

  /** Starts the changes of block `number`; nothing is visible until `commit`. */
  block(number: number): BlockWrites {
    return new BlockWrites(this, number);
  }

  /** @internal */
  async write(ops: Op[]): Promise<void> {
    await this.db.batch(ops);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

type Op = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

/** One block's changes to the state database, staged in memory and written in one batch. */
export class BlockWrites {
  private readonly ops: Op[] = [];
  /** This block's state writes so far, for reads within the block (expiry purges). */
  private readonly staged = new Map<string, VersionedValue | null>();

  constructor(
    private readonly db: StateDb,
    readonly number: number,
  ) {}

  get(namespace: string, key: string): VersionedValue | undefined {
    const staged = this.staged.get(stateKey(namespace, key));
    return staged === null ? undefined : (staged ?? this.db.get(namespace, key));
  }

  apply(write: StateWrite, version: Version, txId: string, timestampMs: number): void {
    const key = stateKey(write.namespace, write.key);
    if (write.value === null) {
      this.ops.push({ type: 'del', key });
      this.staged.set(key, null);
    } else {
      this.ops.push({ type: 'put', key, value: encodeVersioned(version, write.value) });
      this.staged.set(key, { value: write.value, version });
    }
    this.ops.push({
      type: 'put',
      key: historyPrefix(write.namespace, write.key) + height(version),
      value: encodeModification({ txId, value: write.value ?? Buffer.alloc(0), isDelete: write.value === null, timestampMs }),
    });
  }

  indexTransaction(txId: string, status: TxStatus): void {
    const value = Buffer.alloc(7);
    value[0] = status.code;
    value.writeUIntBE(status.blockNumber, 1, 6);
    this.ops.push({ type: 'put', key: TX + txId, value });
  }

  purged(hashedKey: string): void {
    this.ops.push({ type: 'put', key: PURGE + hashedKey, value: uint48(this.number) });
  }

  /** Writes the block's changes with the new savepoint, atomically. */
  async commit(headerHash: Buffer): Promise<void> {
    this.ops.push({ type: 'put', key: BLOCK_HASH + headerHash.toString('hex'), value: uint48(this.number) });
    this.ops.push({ type: 'put', key: META, value: Buffer.concat([uint48(this.number + 1), headerHash]) });
    await this.db.write(this.ops);
  }
}

function uint48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

function encodeVersioned(version: Version, value: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUIntBE(version.blockNum, 0, 6);
  head.writeUInt32BE(version.txNum, 6);
  return Buffer.concat([head, value]);
}

function decodeVersioned(bytes: Buffer): VersionedValue {
  return { version: { blockNum: bytes.readUIntBE(0, 6), txNum: bytes.readUInt32BE(6) }, value: bytes.subarray(10) };
}

function encodeModification(m: KeyModification): Buffer {
  const txId = Buffer.from(m.txId, 'utf8');
  const head = Buffer.alloc(11);
  head[0] = m.isDelete ? 1 : 0;
  head.writeDoubleBE(m.timestampMs, 1);
  head.writeUInt16BE(txId.length, 9);
  return Buffer.concat([head, txId, m.value]);
}

function decodeModification(bytes: Buffer): KeyModification {
  const txIdEnd = 11 + bytes.readUInt16BE(9);
  return {
    isDelete: bytes[0] === 1,
    timestampMs: bytes.readDoubleBE(1),
    txId: bytes.subarray(11, txIdEnd).toString('utf8'),
    value: bytes.subarray(txIdEnd),
  };
}
