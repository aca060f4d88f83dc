import { common, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash, decodeRwSet, transactionFilter } from '@citizen-vault/ledger-format';
import { buildBlock } from './block-format.js';
import { BlockStore } from './block-store.js';
import type { CollectionRegistry } from './collections.js';
import { join } from 'node:path';
import { PrivateLedger, type PrivateCommit, type PrivateDataLog } from './private-ledger.js';
import { ExpirySchedule } from './expiry-schedule.js';
import { hashedNamespace } from './private-rwset.js';
import { DevnetError } from './errors.js';
import { withHashedNamespaces, type NamespaceRwSet } from './rwset.js';
import { parseTransaction, type ParsedTransaction } from './transaction.js';
import { Code, HEADER_FAILURES, validateTransaction, type BlockUpdates, type ValidationContext } from './validator.js';
import { StateDb, type TxStatus } from './state-db.js';

export type { TxStatus };

/** How many recent blocks' chaincode events stay in memory for event streams; older ones are read from the blocks. */
const RECENT_EVENT_BLOCKS = 256;

/** What listeners hear after a block is durably committed and applied. */
export interface CommittedBlock {
  number: number;
  transactions: { txId: string; code: number }[];
  /** Chaincode events of the block's valid transactions, in order. */
  events: peer.ChaincodeEvent[];
}

export interface LedgerOptions {
  dir: string;
  channelId: string;
  /** Builds block 0 when the ledger is new. */
  genesis: () => common.Block;
  validation: Omit<ValidationContext, 'state' | 'isCommitted' | 'channelId'>;
  /** The organisations whose peers keep private data, and the collections of each chaincode. */
  privateData: { mspIds: readonly string[]; collections: CollectionRegistry; log: PrivateDataLog };
  /** Told when a torn last block was cut off on open, and where its bytes were kept. */
  onRecovery?: (discardedBytes: number, keptAt: string | undefined) => void;
}

/**
 * One channel's ledger: the block store and, derived from it, the world state, key history, index
 * of transaction ids and block hashes, kept on disk (state-db.ts) with the savepoint of the last
 * block applied. On open it replays only the blocks past the savepoint (none after a clean stop,
 * the last one or two after a crash), so the state is always exactly what the blocks say.
 */
export class Ledger {
  private readonly recentEvents = new Map<number, peer.ChaincodeEvent[]>();
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private readonly ctx: ValidationContext;
  /** Hashes of private keys whose collection has a blockToLive, purged as blocks commit. */
  private readonly expiry: ExpirySchedule;
  private lastHeaderHash: Buffer = Buffer.alloc(0);
  /** Opened once the blocks are replayed, since it drops private data of blocks that never made it to the block file. */
  private privateLedger: PrivateLedger | undefined;
  private committedHeight = 0;
  /** Blocks replayed into the state when the ledger opened. */
  replayedBlocks = 0;

  private constructor(
    private readonly store: BlockStore,
    readonly state: StateDb,
    private readonly options: LedgerOptions,
  ) {
    this.ctx = {
      ...options.validation,
      channelId: options.channelId,
      state,
      isCommitted: (txId) => state.txStatus(txId) !== undefined,
    };
    const { collections } = options.privateData;
    this.expiry = new ExpirySchedule((namespace) => {
      const at = namespace.indexOf('$$h');
      return at < 0 ? 0 : (collections.get(namespace.slice(0, at), namespace.slice(at + 3))?.blockToLive ?? 0);
    });
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const { store, discardedBytes, discardedTo } = await BlockStore.open(options.dir);
    if (discardedBytes > 0) options.onRecovery?.(discardedBytes, discardedTo);
    let state: StateDb | undefined;
    try {
      const stateDir = join(options.dir, 'statedb');
      state = await StateDb.open(stateDir);
      let { height, lastHeaderHash } = state.savepoint();
      if (height > 0 && !(height <= store.height && blockHeaderHash((await readBlock(store, height - 1)).getHeader()!).equals(lastHeaderHash))) {
        // The state is not that of these blocks (a block file replaced or cut): rebuild it from them.
        await state.close();
        await StateDb.destroy(stateDir);
        state = await StateDb.open(stateDir);
        ({ height, lastHeaderHash } = state.savepoint());
      }
      const ledger = new Ledger(store, state, options);
      ledger.lastHeaderHash = lastHeaderHash;
      ledger.committedHeight = height;
      if (height > 0) await ledger.scheduleExpiries();
      for (let n = height; n < store.height; n++) await ledger.replay(await readBlock(store, n));
      ledger.replayedBlocks = store.height - height;
      if (store.height === 0) {
        const genesis = options.genesis();
        await store.append(genesis.serializeBinary());
        await ledger.apply(genesis, []);
      }
      const { mspIds, collections, log } = options.privateData;
      ledger.privateLedger = await PrivateLedger.open(join(options.dir, 'pvtdata'), mspIds, store.height, collections, (key) => state!.purgedAt(key), log);
      return ledger;
    } catch (err) {
      await state?.close().catch(() => {});
      await store.close();
      throw err;
    }
  }

  /** Blocks committed and applied: what readers and event streams may see. */
  get height(): number {
    return this.committedHeight;
  }

  get channelId(): string {
    return this.options.channelId;
  }

  txStatus(txId: string): TxStatus | undefined {
    return this.state.txStatus(txId);
  }

  blockNumberByHash(headerHash: Uint8Array): number | undefined {
    return this.state.blockNumberByHash(headerHash);
  }

  /** The chaincode events of a block's valid transactions, in order. */
  async eventsInBlock(number: number): Promise<readonly peer.ChaincodeEvent[]> {
    const recent = this.recentEvents.get(number);
    if (recent) return recent;
    if (number >= this.committedHeight) return [];
    if (number === 0) return [];
    const block = await this.readBlock(number);
    const filter = transactionFilter(block);
    return block
      .getData()!
      .getDataList_asU8()
      .flatMap((envelope, i) => {
        if (filter[i] !== Code.VALID) return [];
        const event = parseTransaction(envelope).event;
        return event ? [event] : [];
      });
  }

  /** Subscribes to committed blocks; returns the unsubscribe function. */
  onCommit(listener: (block: CommittedBlock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Private data of the channel: each peer's view, the transient store, deliver's private data. */
  get privateData(): PrivateLedger {
    if (!this.privateLedger) throw new DevnetError('unavailable', 'the ledger is still opening');
    return this.privateLedger;
  }

  async readBlock(number: number): Promise<common.Block> {
    return common.Block.deserializeBinary(await this.store.read(number));
  }

  /** Validates the transactions in order, appends them as one durable block, then applies the valid ones. */
  async commitBlock(txs: readonly ParsedTransaction[]): Promise<CommittedBlock> {
    const number = this.store.height;
    const updates: BlockUpdates = new Map();
    const blockTxIds = new Set<string>();
    const results: { tx: ParsedTransaction; code: number; rwSets: NamespaceRwSet[] }[] = [];
    for (const tx of txs) {
      const { code, rwSets } = await validateTransaction(tx, this.ctx, blockTxIds, updates);
      if (!HEADER_FAILURES.has(code)) blockTxIds.add(tx.txId);
      if (code === Code.VALID) {
        for (const ns of rwSets) {
          let m = updates.get(ns.namespace);
          if (!m) updates.set(ns.namespace, (m = new Map()));
          for (const w of ns.writes) m.set(w.key, w.value);
        }
      }
      results.push({ tx, code, rwSets });
    }
    const block = buildBlock(
      number,
      this.lastHeaderHash,
      txs.map((t) => t.envelope),
      results.map((r) => r.code),
    );
    await this.privateData.stage(
      number,
      results.flatMap((r, txNum) => (r.code === Code.VALID ? [{ txNum, txId: r.tx.txId, rwSets: r.rwSets }] : [])),
      // Fabric keeps the private writes of invalid transactions too (kv_ledger.go), for deliver only.
      results.flatMap((r, txNum) => (r.code !== Code.VALID && !HEADER_FAILURES.has(r.code) ? invalidCommit(txNum, r.tx) : [])),
      // A transaction whose id is not trusted must not drop another's transient data.
      results.filter((r) => !HEADER_FAILURES.has(r.code)).map((r) => r.tx.txId),
    );
    await this.store.append(block.serializeBinary());
    return this.apply(
      block,
      results.map((r) => ({ ...r, txId: r.tx.txId, timestampMs: r.tx.timestampMs, event: r.tx.event })),
    );
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.privateLedger?.close();
    await this.state.close();
    await this.store.close();
  }

  private replay(block: common.Block): Promise<CommittedBlock> {
    const number = block.getHeader()?.getNumber() ?? 0;
    const filter = transactionFilter(block);
    const results =
      number === 0
        ? []
        : block
            .getData()!
            .getDataList_asU8()
            .map((envelope, i) => {
              const code = filter[i] ?? Code.NOT_VALIDATED;
              const tx = parseTransaction(envelope);
              return {
                txId: tx.txId,
                code,
                timestampMs: tx.timestampMs,
                event: tx.event,
                rwSets: code === Code.VALID ? withHashedNamespaces(decodeRwSet(tx.rwSet)) : [],
              };
            });
    return this.apply(block, results);
  }

  /** After a restart without replay: the private keys still due to expire, from the state itself. */
  private async scheduleExpiries(): Promise<void> {
    for (const namespace of await this.state.namespaces()) {
      if (!namespace.includes('$$h')) continue;
      for await (const [key, version] of this.state.entries(namespace)) this.expiry.written(namespace, key, version, false);
    }
  }

  private async apply(
    block: common.Block,
    results: { txId: string; code: number; timestampMs: number; event: peer.ChaincodeEvent | undefined; rwSets: NamespaceRwSet[] }[],
  ): Promise<CommittedBlock> {
    const header = block.getHeader();
    if (!header) throw new DevnetError('corrupt_ledger', 'block without a header');
    const number = header.getNumber();
    const events: peer.ChaincodeEvent[] = [];
    const writes = this.state.block(number);
    this.expiry.purge(number, writes);
    const indexed = new Set<string>();
    results.forEach((r, txNum) => {
      if (!HEADER_FAILURES.has(r.code) && !indexed.has(r.txId) && !this.state.txStatus(r.txId)) {
        indexed.add(r.txId);
        writes.indexTransaction(r.txId, { code: r.code, blockNumber: number });
      }
      if (r.code !== Code.VALID) return;
      for (const ns of r.rwSets) {
        for (const c of ns.collections ?? []) {
          for (const w of c.writes) if (w.isPurge) writes.purged(`${hashedNamespace(ns.namespace, c.collection)}/${w.keyHash.toString('hex')}`);
        }
        for (const w of ns.writes) {
          writes.apply({ namespace: ns.namespace, key: w.key, value: w.value }, { blockNum: number, txNum }, r.txId, r.timestampMs);
          this.expiry.written(ns.namespace, w.key, { blockNum: number, txNum }, w.value === null);
        }
      }
      if (r.event) events.push(r.event);
    });
    const headerHash = blockHeaderHash(header);
    await writes.commit(headerHash);
    this.privateLedger?.applyStaged(number);
    if (events.length > 0) {
      this.recentEvents.set(number, events);
      for (const old of this.recentEvents.keys()) {
        if (old > number - RECENT_EVENT_BLOCKS) break;
        this.recentEvents.delete(old);
      }
    }
    this.lastHeaderHash = headerHash;
    this.committedHeight = number + 1;
    const committed: CommittedBlock = { number, transactions: results.map(({ txId, code }) => ({ txId, code })), events };
    for (const listener of this.listeners) listener(committed);
    return committed;
  }
}

async function readBlock(store: BlockStore, number: number): Promise<common.Block> {
  return common.Block.deserializeBinary(await store.read(number));
}

/** An invalid transaction's read-write set, when it has one to read: its private writes are kept, not applied. */
function invalidCommit(txNum: number, tx: ParsedTransaction): PrivateCommit[] {
  try {
    return [{ txNum, txId: tx.txId, rwSets: decodeRwSet(tx.rwSet) }];
  } catch {
    return [];
  }
}
