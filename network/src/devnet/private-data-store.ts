import { ledger, peer } from '@hyperledger/fabric-protos';
import { BlockStore } from './block-store.js';
import { DevnetError } from './errors.js';
import { decodeTxPrivateWrites } from './private-rwset.js';
import type { PrivateStateView } from './private-simulator.js';
import { WorldState } from './world-state.js';
import { ExpirySchedule } from './expiry-schedule.js';

/** A collection's blockToLive; 0 keeps its values for ever. */
export type BlockToLive = (namespace: string, collection: string) => number;

/** Private values of one transaction, by its position in the block. */
export type BlockPrivateData = Map<number, ledger.rwset.TxPvtReadWriteSet>;

const PRIVATE_FILE = 'private.bin';
/** The private writes of invalid transactions: kept for deliver, as Fabric's pvtdata store keeps them; no peer reads them as state. */
export const INVALID_TX_FILE = 'invalid-tx.bin';

/**
 * One organisation's peer's private data, the devnet's pvtdata store and private state in one:
 * per block, the private write sets of the collections the organisation is a member of, appended
 * durably (length, CRC, fdatasync, as the block file) before the block itself; and the current
 * private values, rebuilt from those records on open. Records of a block that never reached the
 * block file (a crash in between) are cut off on open.
 */
export class PrivateDataStore {
  private readonly values = new WorldState();
  /** Block number → record number in the file. */
  private readonly records = new Map<number, number>();
  private readonly expiry: ExpirySchedule;

  private constructor(
    private readonly store: BlockStore,
    btl: BlockToLive,
  ) {
    this.expiry = new ExpirySchedule((namespace) => {
      const at = namespace.indexOf('$$p');
      return btl(namespace.slice(0, at), namespace.slice(at + 3));
    });
  }

  static async open(dir: string, height: number, btl: BlockToLive, fileName = PRIVATE_FILE): Promise<PrivateDataStore> {
    const raw: Buffer[] = [];
    const { store } = await BlockStore.open(dir, (_n, bytes) => raw.push(bytes), fileName);
    const self = new PrivateDataStore(store, btl);
    for (const [index, bytes] of raw.entries()) {
      const { number, data } = decodeRecord(bytes);
      if (number >= height) {
        await store.truncate(index);
        break;
      }
      self.records.set(number, index);
      self.apply(number, data);
    }
    self.purgeExpired(height - 1);
    return self;
  }

  /** Writes a block's private data durably; `apply` makes it visible once the block is committed. */
  async append(number: number, data: BlockPrivateData): Promise<void> {
    if (this.records.has(number)) throw new DevnetError('corrupt_ledger', `private data of block ${number} is already stored`);
    await this.store.append(encodeRecord(number, data));
    this.records.set(number, this.store.height - 1);
  }

  apply(number: number, data: BlockPrivateData): void {
    for (const [txNum, tx] of data) {
      for (const coll of decodeTxPrivateWrites(tx)) {
        const namespace = privateNamespace(coll.namespace, coll.collection);
        for (const w of coll.writes) {
          this.values.apply({ namespace, key: w.key, value: w.value }, { blockNum: number, txNum }, '', 0);
          this.expiry.written(namespace, w.key, { blockNum: number, txNum }, w.value === null);
        }
      }
    }
  }

  /** Removes values whose blockToLive has run out by the commit of `block`. */
  purgeExpired(block: number): void {
    this.expiry.purge(block, this.values);
  }

  async read(number: number): Promise<BlockPrivateData> {
    const index = this.records.get(number);
    if (index === undefined) return new Map();
    return decodeRecord(await this.store.read(index)).data;
  }

  view(): PrivateStateView {
    return {
      get: (namespace, collection, key) => this.values.get(privateNamespace(namespace, collection), key),
      range: (namespace, collection, start, end) => this.values.range(privateNamespace(namespace, collection), start, end, Number.MAX_SAFE_INTEGER),
    };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** Fabric keeps private values in namespace `<ns>$$p<coll>`. */
function privateNamespace(namespace: string, collection: string): string {
  return `${namespace}$$p${collection}`;
}

/** A record is the block number (8 bytes) and a `BlockAndPrivateData` without its block. */
function encodeRecord(number: number, data: BlockPrivateData): Uint8Array {
  const msg = new peer.BlockAndPrivateData();
  for (const [txNum, tx] of data) msg.getPrivateDataMapMap().set(txNum, tx);
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(number));
  return Buffer.concat([head, msg.serializeBinary()]);
}

function decodeRecord(bytes: Buffer): { number: number; data: BlockPrivateData } {
  const number = Number(bytes.readBigUInt64BE(0));
  const msg = peer.BlockAndPrivateData.deserializeBinary(bytes.subarray(8));
  const data: BlockPrivateData = new Map();
  msg.getPrivateDataMapMap().forEach((tx, txNum) => data.set(Number(txNum), tx));
  return { number, data };
}
