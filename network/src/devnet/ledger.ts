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
import { WorldState } from './world-state.js';

export interface TxStatus {
  code: number;
  blockNumber: number;
}

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
 * One channel's ledger: the block store, the world state and history derived from it, the index of
 * transaction ids, and the chaincode events of each block. On open it replays every stored block,
 * so the state is always exactly what the blocks say.
 */
export class Ledger {
  readonly state = new WorldState();
  private readonly txIndex = new Map<string, TxStatus>();
  private readonly blockEvents = new Map<number, peer.ChaincodeEvent[]>();
  private readonly blockByHash = new Map<string, number>();
  private readonly listeners = new Set<(block: CommittedBlock) => void>();
  private readonly ctx: ValidationContext;
  /** Hashes of private keys whose collection has a blockToLive, purged as blocks commit. */
  private readonly expiry: ExpirySchedule;
  /** Block of the latest PurgePrivateData of each private key (`<ns>$$h<coll>` and hex key hash): earlier values are gone. */
  private readonly purges = new Map<string, number>();
  private lastHeaderHash: Buffer = Buffer.alloc(0);
  /** Opened once the blocks are replayed, since it drops private data of blocks that never made it to the block file. */
  private privateLedger: PrivateLedger | undefined;
  private committedHeight = 0;

  private constructor(private readonly store: BlockStore, private readonly options: LedgerOptions) {
    this.ctx = {
      ...options.validation,
      channelId: options.channelId,
      state: this.state,
      isCommitted: (txId) => this.txIndex.has(txId),
    };
    const { collections } = options.privateData;
    this.expiry = new ExpirySchedule((namespace) => {
      const at = namespace.indexOf('$$h');
      return at < 0 ? 0 : (collections.get(namespace.slice(0, at), namespace.slice(at + 3))?.blockToLive ?? 0);
    });
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    const replay: Buffer[] = [];
    const { store, discardedBytes, discardedTo } = await BlockStore.open(options.dir, (_n, bytes) => replay.push(bytes));
    if (discardedBytes > 0) options.onRecovery?.(discardedBytes, discardedTo);
    const ledger = new Ledger(store, options);
    for (const bytes of replay.splice(0)) ledger.replay(common.Block.deserializeBinary(bytes));
    if (store.height === 0) {
      const genesis = options.genesis();
      await store.append(genesis.serializeBinary());
      ledger.apply(genesis, []);
    }
    const { mspIds, collections, log } = options.privateData;
    const purgedAt = (hashedKey: string): number | undefined => ledger.purges.get(hashedKey);
    ledger.privateLedger = await PrivateLedger.open(join(options.dir, 'pvtdata'), mspIds, store.height, collections, purgedAt, log);
    return ledger;
  }

  /** Blocks committed and applied: what readers and event streams may see. */
  get height(): number {
    return this.committedHeight;
  }

  get channelId(): string {
    return this.options.channelId;
  }

  txStatus(txId: string): TxStatus | undefined {
    return this.txIndex.get(txId);
  }

  blockNumberByHash(headerHash: Uint8Array): number | undefined {
    return this.blockByHash.get(Buffer.from(headerHash).toString('hex'));
  }

  eventsInBlock(number: number): readonly peer.ChaincodeEvent[] {
    return this.blockEvents.get(number) ?? [];
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
    const results = txs.map((tx) => {
      const { code, rwSets } = validateTransaction(tx, this.ctx, blockTxIds, updates);
      if (!HEADER_FAILURES.has(code)) blockTxIds.add(tx.txId);
      if (code === Code.VALID) {
        for (const ns of rwSets) {
          let m = updates.get(ns.namespace);
          if (!m) updates.set(ns.namespace, (m = new Map()));
          for (const w of ns.writes) m.set(w.key, w.value);
        }
      }
      return { tx, code, rwSets };
    });
    const block = buildBlock(number, this.lastHeaderHash, txs.map((t) => t.envelope), results.map((r) => r.code));
    await this.privateData.stage(
      number,
      results.flatMap((r, txNum) => (r.code === Code.VALID ? [{ txNum, txId: r.tx.txId, rwSets: r.rwSets }] : [])),
      // Fabric keeps the private writes of invalid transactions too (kv_ledger.go), for deliver only.
      results.flatMap((r, txNum) => (r.code !== Code.VALID && !HEADER_FAILURES.has(r.code) ? invalidCommit(txNum, r.tx) : [])),
      // A transaction whose id is not trusted must not drop another's transient data.
      results.filter((r) => !HEADER_FAILURES.has(r.code)).map((r) => r.tx.txId),
    );
    await this.store.append(block.serializeBinary());
    return this.apply(block, results.map((r) => ({ ...r, txId: r.tx.txId, timestampMs: r.tx.timestampMs, event: r.tx.event })));
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.privateLedger?.close();
    await this.store.close();
  }

  private replay(block: common.Block): void {
    const number = block.getHeader()?.getNumber() ?? 0;
    const filter = transactionFilter(block);
    const results = number === 0
      ? []
      : block.getData()!.getDataList_asU8().map((envelope, i) => {
          const code = filter[i] ?? Code.NOT_VALIDATED;
          const tx = parseTransaction(envelope);
          return { txId: tx.txId, code, timestampMs: tx.timestampMs, event: tx.event, rwSets: code === Code.VALID ? withHashedNamespaces(decodeRwSet(tx.rwSet)) : [] };
        });
    this.apply(block, results);
  }

  private apply(
    block: common.Block,
    results: { txId: string; code: number; timestampMs: number; event: peer.ChaincodeEvent | undefined; rwSets: NamespaceRwSet[] }[],
  ): CommittedBlock {
    const header = block.getHeader();
    if (!header) throw new DevnetError('corrupt_ledger', 'block without a header');
    const number = header.getNumber();
    const events: peer.ChaincodeEvent[] = [];
    this.expiry.purge(number, this.state);
    results.forEach((r, txNum) => {
      if (!HEADER_FAILURES.has(r.code) && !this.txIndex.has(r.txId)) this.txIndex.set(r.txId, { code: r.code, blockNumber: number });
      if (r.code !== Code.VALID) return;
      for (const ns of r.rwSets) {
        for (const c of ns.collections ?? []) {
          for (const w of c.writes) if (w.isPurge) this.purges.set(`${hashedNamespace(ns.namespace, c.collection)}/${w.keyHash.toString('hex')}`, number);
        }
        for (const w of ns.writes) {
          this.state.apply({ namespace: ns.namespace, key: w.key, value: w.value }, { blockNum: number, txNum }, r.txId, r.timestampMs);
          this.expiry.written(ns.namespace, w.key, { blockNum: number, txNum }, w.value === null);
        }
      }
      if (r.event) events.push(r.event);
    });
    if (events.length > 0) this.blockEvents.set(number, events);
    this.privateLedger?.applyStaged(number);
    this.lastHeaderHash = blockHeaderHash(header);
    this.blockByHash.set(this.lastHeaderHash.toString('hex'), number);
    this.committedHeight = number + 1;
    const committed: CommittedBlock = { number, transactions: results.map(({ txId, code }) => ({ txId, code })), events };
    for (const listener of this.listeners) listener(committed);
    return committed;
  }
}

/** An invalid transaction's read-write set, when it has one to read: its private writes are kept, not applied. */
function invalidCommit(txNum: number, tx: ParsedTransaction): PrivateCommit[] {
  try {
    return [{ txNum, txId: tx.txId, rwSets: decodeRwSet(tx.rwSet) }];
  } catch {
    return [];
  }
}
