import { DevnetError } from './errors.js';
import { PrivateSimulation, type PrivateStateView } from './private-simulator.js';
import type { KeyRead, NamespaceRwSet, RangeRead } from './rwset.js';
import type { CommittedState } from './state-db.js';
import type { KeyModification, Version } from './world-state.js';

/** How many results one range response carries before the shim asks for more (Fabric's default batch). */
export const QUERY_BATCH = 100;

export interface RangeBatch {
  id: string;
  results: { key: string; value: Buffer }[];
  hasMore: boolean;
  /** For paginated queries: how many records came back and where the next page starts. */
  page?: { fetchedRecordsCount: number; bookmark: string };
}

interface OpenIterator {
  namespace: string;
  start: string;
  end: string;
  lastKey: string | undefined;
  record: RangeRead;
}

/**
 * Simulates one transaction against committed state, recording its read-write set the way Fabric's
 * transaction simulator does: reads see committed state only (never the transaction's own writes),
 * the last write to a key wins, and range queries record what they returned for phantom checks.
 */
export class TxSimulator {
  private readonly reads = new Map<string, Map<string, Version | undefined>>();
  private readonly writes = new Map<string, Map<string, Buffer | null>>();
  private readonly ranges = new Map<string, RangeRead[]>();
  private readonly iterators = new Map<string, OpenIterator>();
  private nextIteratorId = 0;
  private paginated = false;
  /** Private data reads and writes; a peer without a private view holds no private values. */
  readonly privateData: PrivateSimulation;

  constructor(
    private readonly state: CommittedState,
    options: { txId?: string; privateView?: PrivateStateView } = {},
  ) {
    const view = options.privateView ?? { get: () => undefined, range: () => [] };
    this.privateData = new PrivateSimulation(options.txId ?? '', state, view, () => this.publicWrites());
  }

  getState(namespace: string, key: string): Buffer {
    const committed = this.state.get(namespace, key);
    const reads = this.nsMap(this.reads, namespace);
    if (!reads.has(key)) reads.set(key, committed?.version);
    return committed?.value ?? Buffer.alloc(0);
  }

  putState(namespace: string, key: string, value: Buffer): void {
    this.assertWritable();
    this.nsMap(this.writes, namespace).set(key, value);
  }

  deleteState(namespace: string, key: string): void {
    this.assertWritable();
    this.nsMap(this.writes, namespace).set(key, null);
  }

  /** PutPrivateData (null deletes): recorded as hashes in the read-write set, values in the private write set. */
  putPrivateData(namespace: string, collection: string, key: string, value: Buffer | null): void {
    this.assertWritable();
    this.privateData.put(namespace, collection, key, value);
  }

  purgePrivateData(namespace: string, collection: string, key: string): void {
    this.assertWritable();
    this.privateData.purge(namespace, collection, key);
  }

  /** Opens a range iterator over [start, end); `pageSize` > 0 makes it a paginated query. */
  async openRange(namespace: string, start: string, end: string, pageSize = 0, bookmark = ''): Promise<RangeBatch> {
    const id = `itr-${this.nextIteratorId++}`;
    const record: RangeRead = { startKey: start, endKey: end, itrExhausted: false, reads: [] };
    this.nsList(this.ranges, namespace).push(record);
    if (pageSize > 0) {
      if (this.hasWrites()) throw new DevnetError('not_supported', 'paginated queries are allowed only in read-only transactions');
      this.paginated = true;
      const from = bookmark !== '' ? bookmark : start;
      const found = await this.state.range(namespace, from, end, pageSize + 1);
      const page = found.slice(0, pageSize);
      record.startKey = from;
      record.reads = page.map(([key, v]) => ({ key, version: v.version }));
      record.itrExhausted = found.length <= pageSize;
      const next = found[pageSize];
      return {
        id,
        results: page.map(([key, v]) => ({ key, value: v.value })),
        hasMore: false,
        page: { fetchedRecordsCount: page.length, bookmark: next ? next[0] : '' },
      };
    }
    this.iterators.set(id, { namespace, start, end, lastKey: undefined, record });
    return this.nextBatch(id);
  }

  async nextBatch(id: string): Promise<RangeBatch> {
    const it = this.iterators.get(id);
    if (!it) throw new DevnetError('invalid_argument', `query iterator ${id} is not open`);
    const found = await this.state.range(it.namespace, it.start, it.end, QUERY_BATCH + 1, it.lastKey);
    const batch = found.slice(0, QUERY_BATCH);
    const hasMore = found.length > QUERY_BATCH;
    for (const [key, v] of batch) it.record.reads.push({ key, version: v.version } satisfies KeyRead);
    const last = batch[batch.length - 1];
    if (last) it.lastKey = last[0];
    if (!hasMore) {
      it.record.itrExhausted = true;
      this.iterators.delete(id);
    }
    return { id, results: batch.map(([key, v]) => ({ key, value: v.value })), hasMore };
  }

  closeIterator(id: string): void {
    this.iterators.delete(id);
  }

  history(namespace: string, key: string): Promise<readonly KeyModification[]> {
    return this.state.historyFor(namespace, key);
  }

  hasWrites(): boolean {
    return this.publicWrites() || this.privateData.hasWrites();
  }

  private publicWrites(): boolean {
    for (const w of this.writes.values()) if (w.size > 0) return true;
    return false;
  }

  /** The read-write set, one entry per namespace touched. */
  rwSets(): NamespaceRwSet[] {
    const namespaces = new Set([...this.reads.keys(), ...this.writes.keys(), ...this.ranges.keys(), ...this.privateData.namespaces()]);
    return [...namespaces].map((namespace) => ({
      namespace,
      collections: this.privateData.hashedSets(namespace),
      reads: [...(this.reads.get(namespace) ?? new Map<string, Version | undefined>())].map(([key, version]) => ({ key, version })),
      writes: [...(this.writes.get(namespace) ?? new Map<string, Buffer | null>())].map(([key, value]) => ({ key, value })),
      ranges: this.ranges.get(namespace) ?? [],
    }));
  }

  private assertWritable(): void {
    if (this.paginated) throw new DevnetError('not_supported', 'a transaction cannot write after a paginated query');
    this.privateData.assertNotQueried();
  }

  private nsMap<V>(maps: Map<string, Map<string, V>>, namespace: string): Map<string, V> {
    let m = maps.get(namespace);
    if (!m) maps.set(namespace, (m = new Map()));
    return m;
  }

  private nsList<V>(lists: Map<string, V[]>, namespace: string): V[] {
    let l = lists.get(namespace);
    if (!l) lists.set(namespace, (l = []));
    return l;
  }
}
