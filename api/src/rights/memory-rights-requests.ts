import type { RightsLedgerRecord } from './ledger-record.js';
import type { Actor, PendingRecord, RightsRequestStore } from './ports.js';
import { OPEN_STATES, type RequestKind, type RightsRequest, type Transition } from './request-lifecycle.js';

interface StoredTransition extends Transition {
  actor: Actor;
  record: RightsLedgerRecord;
  recordedTxId: string | null;
  attempts: number;
}

/** The in-memory twin of PgRightsRequests, for fast tests; it passes the same store contract tests. */
export class MemoryRightsRequests implements RightsRequestStore {
  private readonly requests = new Map<string, RightsRequest>();
  private readonly transitions: StoredTransition[] = [];

  async insert(request: RightsRequest, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<void> {
    if (this.requests.has(request.id)) throw new Error(`request ${request.id} exists`);
    this.requests.set(request.id, structuredClone(request));
    this.transitions.push({ ...transition, actor, record: structuredClone(record), recordedTxId: null, attempts: 0 });
  }

  async apply(request: RightsRequest, expectedVersion: number, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<boolean> {
    if (this.requests.get(request.id)?.version !== expectedVersion) return false;
    this.requests.set(request.id, structuredClone(request));
    this.transitions.push({ ...transition, actor, record: structuredClone(record), recordedTxId: null, attempts: 0 });
    return true;
  }

  async get(id: string): Promise<RightsRequest | undefined> {
    const r = this.requests.get(id);
    return r && structuredClone(r);
  }

  async bySubject(subjectId: string): Promise<RightsRequest[]> {
    return this.all()
      .filter((r) => r.subjectId === subjectId)
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || b.id.localeCompare(a.id));
  }

  async openOfKind(subjectId: string, kind: RequestKind): Promise<RightsRequest | undefined> {
    return this.all().find((r) => r.subjectId === subjectId && r.kind === kind && OPEN_STATES.includes(r.state));
  }

  async open(): Promise<RightsRequest[]> {
    return this.all()
      .filter((r) => OPEN_STATES.includes(r.state))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  async late(): Promise<RightsRequest[]> {
    return this.all()
      .filter(
        (r) =>
          (r.state === 'COMPLETED' && r.closedAt! > r.dueAt) || (r.acknowledgedAt ?? (r.state === 'REFUSED' ? r.closedAt : null) ?? new Date(0)) > r.replyDueAt,
      )
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
  }

  async history(id: string): Promise<(Transition & { actor: Actor; recordedTxId: string | null })[]> {
    return this.transitions
      .filter((t) => t.requestId === id)
      .sort((a, b) => a.seq - b.seq)
      .map(({ record: _r, attempts: _a, ...t }) => structuredClone(t));
  }

  async pendingRecords(limit: number, requestId?: string): Promise<PendingRecord[]> {
    return this.transitions
      .filter((t) => t.recordedTxId === null && (requestId === undefined || t.requestId === requestId))
      .sort((a, b) => a.requestId.localeCompare(b.requestId) || a.seq - b.seq)
      .slice(0, limit)
      .map((t) => ({ requestId: t.requestId, seq: t.seq, record: structuredClone(t.record), attempts: t.attempts }));
  }

  async markRecorded(requestId: string, seq: number, txId: string): Promise<void> {
    const t = this.find(requestId, seq);
    if (t && t.recordedTxId === null) t.recordedTxId = txId;
  }

  async markAttemptFailed(requestId: string, seq: number, _error: string): Promise<void> {
    const t = this.find(requestId, seq);
    if (t && t.recordedTxId === null) t.attempts++;
  }

  private find(requestId: string, seq: number): StoredTransition | undefined {
    return this.transitions.find((t) => t.requestId === requestId && t.seq === seq);
  }

  private all(): RightsRequest[] {
    return [...this.requests.values()].map((r) => structuredClone(r));
  }
}
