import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type { AccessEventRow, AccessHistory } from './access-events.js';
import { accessEventEntry } from './access-log.js';
import type { AccessEvent, AccessRecorder, LeafKind, RecordedAccess, UseGuard } from './access-recorder.js';
import type { LogTree } from './log-ports.js';
import { leafHash, nodeHash, type SubtreeKey } from './merkle.js';

/**
 * What a guarded read asks of the consents it concerns, in the same step that records it: in
 * Postgres the `consents` and `consent_usage` tables, read in the log's transaction; here the
 * in-memory consent store, which shares its state with this log as those tables do.
 */
export interface ConsentUseGate {
  /** Active and not blocked by a pending revoke or pause. */
  usable(consentId: string): boolean;
  /** Counts one use in `period` if fewer than `limit` were made; false (nothing counted) otherwise. */
  takeUse(consentId: string, period: string, limit: number): boolean;
}

interface Leaf {
  kind: LeafKind;
  entry: string;
  /** The hash stored with the leaf (as `log_leaves.leaf_hash`): a test may make it disagree with the entry. */
  hash: Buffer;
}

/**
 * The access log in memory, for unit tests: the same contract as the Postgres log (leaf indices in
 * order, one leaf per ledger transaction, guarded reads checked and counted as they are recorded),
 * without the Merkle tree's storage.
 */
class MemoryAccessLog implements AccessRecorder, AccessHistory, LogTree {
  private readonly leafList: Leaf[] = [];
  private readonly events: { event: AccessEvent; leafIndex: number }[] = [];
  private readonly byTransaction = new Map<string, number>();

  get entries(): readonly { kind: LeafKind; entry: string }[] {
    return this.leafList.map(({ kind, entry }) => ({ kind, entry }));
  }

  constructor(
    private readonly gate: ConsentUseGate,
    private readonly organizationName: (id: string) => string,
  ) {}

  async recordAccess(event: AccessEvent, guard?: UseGuard): Promise<RecordedAccess> {
    await Promise.resolve(); // durable "later", as the group commit is: callers must await
    let recorded = event;
    if (guard && event.outcome === 'GRANTED' && !this.gate.takeUse(event.consentId, guard.period, guard.limit)) {
      recorded = { ...event, outcome: 'DENIED', reason: this.gate.usable(event.consentId) ? 'frequency_exceeded' : 'not_active', usagePeriod: undefined };
    }
    const leafIndex = this.push('data_read', accessEventEntry(recorded));
    this.events.push({ event: recorded, leafIndex });
    return {
      leafIndex,
      outcome: recorded.outcome,
      ...(recorded.outcome === 'DENIED' && guard ? { reason: recorded.reason as 'not_active' | 'frequency_exceeded' } : {}),
    };
  }

  async append(kind: Exclude<LeafKind, 'data_read'>, entry: Record<string, unknown>, transactionId?: string): Promise<{ leafIndex: number }> {
    await Promise.resolve();
    const earlier = transactionId === undefined ? undefined : this.byTransaction.get(transactionId);
    if (earlier !== undefined) return { leafIndex: earlier };
    const leafIndex = this.push(kind, canonicalJson({ v: 1, kind, ...entry }));
    if (transactionId !== undefined) this.byTransaction.set(transactionId, leafIndex);
    return { leafIndex };
  }

  async size(): Promise<number> {
    return this.leafList.length;
  }

  async subtrees(keys: SubtreeKey[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const k of keys) if ((k.index + 1) * 2 ** k.level <= this.leafList.length) found.set(`${k.level}/${k.index}`, this.subtree(k.level, k.index));
    return found;
  }

  async leaves(from: number, limit: number): Promise<{ leafIndex: number; entry: string; leafHash: Buffer }[]> {
    return this.leafList.slice(from, from + limit).map((l, i) => ({ leafIndex: from + i, entry: l.entry, leafHash: l.hash }));
  }

  /** Rewrites a leaf's entry behind the log's back (a test of tamper detection); `rehash` updates its stored hash too. */
  tamper(leafIndex: number, entry: string, rehash: boolean): void {
    const leaf = this.leafList[leafIndex]!;
    leaf.entry = entry;
    if (rehash) leaf.hash = leafHash(entry);
  }

  private push(kind: LeafKind, entry: string): number {
    return this.leafList.push({ kind, entry, hash: leafHash(entry) }) - 1;
  }

  private subtree(level: number, index: number): Buffer {
    return level === 0 ? this.leafList[index]!.hash : nodeHash(this.subtree(level - 1, 2 * index), this.subtree(level - 1, 2 * index + 1));
  }

  async accessEventsOf(subjectId: string, page: { limit: number; after?: { at: Date; id: string } }): Promise<AccessEventRow[]> {
    const before = (a: { at: Date; id: string }, b: { at: Date; id: string }): boolean =>
      a.at.getTime() < b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id < b.id);
    return this.events
      .filter(({ event }) => event.subjectId === subjectId && (!page.after || before(event, page.after)))
      .sort((x, y) => (before(x.event, y.event) ? 1 : before(y.event, x.event) ? -1 : 0))
      .slice(0, page.limit)
      .map(({ event: e, leafIndex }) => ({
        id: e.id,
        consent_id: e.consentId,
        consumer_org_id: e.consumerOrgId,
        consumer_name: this.organizationName(e.consumerOrgId),
        purpose: e.purpose,
        fields: e.fields,
        outcome: e.outcome,
        reason: e.reason ?? null,
        at: e.at,
        leaf_index: String(leafIndex),
        log_entry: this.leafList[leafIndex]!.entry,
      }));
  }
}

export type InMemoryAccessLog = AccessRecorder &
  AccessHistory &
  LogTree & {
    /** The leaves so far, in order (what a unit test inspects). */
    readonly entries: readonly { kind: LeafKind; entry: string }[];
    tamper(leafIndex: number, entry: string, rehash: boolean): void;
  };

/** The in-memory access log twin; `gate` is the consent store's use counter (see `inMemoryConsentStore`). */
export function inMemoryAccessLog(gate: ConsentUseGate, organizationName: (id: string) => string = () => ''): InMemoryAccessLog {
  return new MemoryAccessLog(gate, organizationName);
}
