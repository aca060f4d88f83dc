import type postgres from 'postgres';
import type { Sql } from '../infra/database.js';
import type { RightsLedgerRecord } from './ledger-record.js';
import type { Actor, PendingRecord, RightsRequestStore } from './ports.js';
import type { ExtensionReason, RefusalReason, RequestKind, RequestState, RightsRequest, Transition } from './request-lifecycle.js';

interface RequestRow {
  id: string;
  subject_id: string;
  kind: RequestKind;
  fields: string[];
  state: RequestState;
  processor_must_act: boolean;
  received_at: Date;
  reply_due_at: Date;
  due_at: Date;
  acknowledged_at: Date | null;
  started_at: Date | null;
  closed_at: Date | null;
  extended_at: Date | null;
  extension_days: number | null;
  extension_reason: ExtensionReason | null;
  previous_due_at: Date | null;
  refusal_reason: RefusalReason | null;
  version: number;
}

interface TransitionRow {
  request_id: string;
  seq: number;
  action: Transition['action'];
  from_state: RequestState | null;
  to_state: RequestState;
  at: Date;
  due_at: Date;
  reason: Transition['reason'];
  actor: Actor;
  recorded_tx_id: string | null;
}

function requestOf(r: RequestRow): RightsRequest {
  return {
    id: r.id,
    subjectId: r.subject_id,
    kind: r.kind,
    fields: r.fields,
    state: r.state,
    processorMustAct: r.processor_must_act,
    receivedAt: r.received_at,
    replyDueAt: r.reply_due_at,
    dueAt: r.due_at,
    acknowledgedAt: r.acknowledged_at,
    startedAt: r.started_at,
    closedAt: r.closed_at,
    extension:
      r.extended_at && r.extension_days && r.extension_reason && r.previous_due_at
        ? { at: r.extended_at, days: r.extension_days, reason: r.extension_reason, previousDueAt: r.previous_due_at }
        : null,
    refusalReason: r.refusal_reason,
    version: r.version,
  };
}

function rowOf(q: RightsRequest): RequestRow {
  return {
    id: q.id,
    subject_id: q.subjectId,
    kind: q.kind,
    fields: q.fields,
    state: q.state,
    processor_must_act: q.processorMustAct,
    received_at: q.receivedAt,
    reply_due_at: q.replyDueAt,
    due_at: q.dueAt,
    acknowledged_at: q.acknowledgedAt,
    started_at: q.startedAt,
    closed_at: q.closedAt,
    extended_at: q.extension?.at ?? null,
    extension_days: q.extension?.days ?? null,
    extension_reason: q.extension?.reason ?? null,
    previous_due_at: q.extension?.previousDueAt ?? null,
    refusal_reason: q.refusalReason,
    version: q.version,
  };
}

const OPEN = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED'];

/** Requests and their transitions in Postgres: a request's new state and its history row are one transaction. */
export class PgRightsRequests implements RightsRequestStore {
  constructor(private readonly sql: Sql) {}

  async insert(request: RightsRequest, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`insert into rights_requests ${tx(rowOf(request) as never)}`;
      await this.insertTransition(tx, transition, actor, record);
    });
  }

  async apply(request: RightsRequest, expectedVersion: number, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const { id: _id, subject_id: _s, kind: _k, received_at: _r, ...changed } = rowOf(request);
      const updated = await tx`update rights_requests set ${tx(changed as never)} where id = ${request.id} and version = ${expectedVersion}`;
      if (updated.count !== 1) return false;
      await this.insertTransition(tx, transition, actor, record);
      return true;
    });
  }

  private async insertTransition(tx: postgres.TransactionSql, t: Transition, actor: Actor, record: RightsLedgerRecord): Promise<void> {
    await tx`
      insert into rights_request_transitions (request_id, seq, action, from_state, to_state, at, due_at, reason, actor, ledger_record)
      values (${t.requestId}, ${t.seq}, ${t.action}, ${t.from}, ${t.to}, ${t.at}, ${t.dueAt}, ${t.reason}, ${actor}, ${tx.json(record as never)})`;
  }

  async get(id: string): Promise<RightsRequest | undefined> {
    const [row] = await this.sql<RequestRow[]>`select * from rights_requests where id = ${id}`;
    return row ? requestOf(row) : undefined;
  }

  async bySubject(subjectId: string): Promise<RightsRequest[]> {
    return (await this.sql<RequestRow[]>`select * from rights_requests where subject_id = ${subjectId} order by received_at desc, id desc limit 500`).map(
      requestOf,
    );
  }

  async openOfKind(subjectId: string, kind: RequestKind): Promise<RightsRequest | undefined> {
    const [row] = await this.sql<
      RequestRow[]
    >`select * from rights_requests where subject_id = ${subjectId} and kind = ${kind} and state in ${this.sql(OPEN)} limit 1`;
    return row ? requestOf(row) : undefined;
  }

  async open(): Promise<RightsRequest[]> {
    return (await this.sql<RequestRow[]>`select * from rights_requests where state not in ('COMPLETED', 'REFUSED') order by due_at limit 1000`).map(requestOf);
  }

  async late(): Promise<RightsRequest[]> {
    return (
      await this.sql<RequestRow[]>`
        select * from rights_requests
        where (state = 'COMPLETED' and closed_at > due_at)
           or coalesce(acknowledged_at, case when state = 'REFUSED' then closed_at end) > reply_due_at
        order by received_at desc limit 1000`
    ).map(requestOf);
  }

  async history(id: string): Promise<(Transition & { actor: Actor; recordedTxId: string | null })[]> {
    const rows = await this.sql<TransitionRow[]>`
      select request_id, seq, action, from_state, to_state, at, due_at, reason, actor, recorded_tx_id
      from rights_request_transitions where request_id = ${id} order by seq`;
    return rows.map((t) => ({
      requestId: t.request_id,
      seq: t.seq,
      action: t.action,
      from: t.from_state,
      to: t.to_state,
      at: t.at,
      dueAt: t.due_at,
      reason: t.reason,
      actor: t.actor,
      recordedTxId: t.recorded_tx_id,
    }));
  }

  async pendingRecords(limit: number, requestId?: string): Promise<PendingRecord[]> {
    const rows = await this.sql<{ request_id: string; seq: number; ledger_record: RightsLedgerRecord; ledger_attempts: number }[]>`
      select request_id, seq, ledger_record, ledger_attempts from rights_request_transitions
      where recorded_tx_id is null ${requestId ? this.sql`and request_id = ${requestId}` : this.sql``}
      order by request_id, seq limit ${limit}`;
    return rows.map((r) => ({ requestId: r.request_id, seq: r.seq, record: r.ledger_record, attempts: r.ledger_attempts }));
  }

  async markRecorded(requestId: string, seq: number, txId: string): Promise<void> {
    await this
      .sql`update rights_request_transitions set recorded_tx_id = ${txId}, recorded_at = now(), ledger_error = null where request_id = ${requestId} and seq = ${seq} and recorded_tx_id is null`;
  }

  async markAttemptFailed(requestId: string, seq: number, error: string): Promise<void> {
    await this
      .sql`update rights_request_transitions set ledger_attempts = ledger_attempts + 1, ledger_error = ${error} where request_id = ${requestId} and seq = ${seq} and recorded_tx_id is null`;
  }
}
