import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type { AccessEventRow, AccessHistory } from './access-events.js';
import { accessEventEntry } from './access-log.js';
import type { AccessEvent, AccessRecorder, LeafKind, RecordedAccess, UseGuard } from './access-recorder.js';

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
}

/**
 * The access log in memory, for unit tests: the same contract as the Postgres log (leaf indices in
 * order, one leaf per ledger transaction, guarded reads checked and counted as they are recorded),
 * without the Merkle tree's storage.
 */
class MemoryAccessLog implements AccessRecorder, AccessHistory {
  readonly leaves: Leaf[] = [];
  private readonly events: { event: AccessEvent; leafIndex: number }[] = [];
  private readonly byTransaction = new Map<string, number>();

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
    const leafIndex = this.leaves.push({ kind: 'data_read', entry: accessEventEntry(recorded) }) - 1;
    this.events.push({ event: recorded, leafIndex });
    return { leafIndex, outcome: recorded.outcome, ...(recorded.outcome === 'DENIED' && guard ? { reason: recorded.reason as 'not_active' | 'frequency_exceeded' } : {}) };
  }

  async append(kind: Exclude<LeafKind, 'data_read'>, entry: Record<string, unknown>, transactionId?: string): Promise<{ leafIndex: number }> {
    await Promise.resolve();
    const earlier = transactionId === undefined ? undefined : this.byTransaction.get(transactionId);
    if (earlier !== undefined) return { leafIndex: earlier };
    const leafIndex = this.leaves.push({ kind, entry: canonicalJson({ v: 1, kind, ...entry }) }) - 1;
    if (transactionId !== undefined) this.byTransaction.set(transactionId, leafIndex);
    return { leafIndex };
  }

  async accessEventsOf(subjectId: string, page: { limit: number; after?: { at: Date; id: string } }): Promise<AccessEventRow[]> {
    const before = (a: { at: Date; id: string }, b: { at: Date; id: string }): boolean => a.at.getTime() < b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id < b.id);
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
        log_entry: this.leaves[leafIndex]!.entry,
      }));
  }
}

export type InMemoryAccessLog = AccessRecorder & AccessHistory & { readonly leaves: readonly Leaf[] };

/** The in-memory access log twin; `gate` is the consent store's use counter (see `inMemoryConsentStore`). */
export function inMemoryAccessLog(gate: ConsentUseGate, organizationName: (id: string) => string = () => ''): InMemoryAccessLog {
  return new MemoryAccessLog(gate, organizationName);
}
