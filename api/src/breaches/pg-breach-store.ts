import type postgres from 'postgres';
import type { BreachRecordValue } from '@citizen-vault/chaincode/rules';
import type { Sql } from '../infra/database.js';
import type { Breach, BreachAction, BreachState } from './breach.js';
import type { AffectedSummary, BreachStore, BreachVersionRow, CitizenNotice, ComposedVersion, PendingNotice, PendingVersion } from './ports.js';

interface BreachRow {
  id: string;
  summary: string;
  detected_at: Date;
  recorded_at: Date;
  notify_due_at: Date;
  data_categories: string[];
  consumer_org_ids: string[];
  fields: string[];
  window_from: Date;
  window_to: Date;
  consequences: string;
  measures: string;
  contact: string;
  late_reason: string;
  authority_notified_at: Date | null;
  state: BreachState;
  closed_at: Date | null;
  affected_subjects: number;
  affected_reads: number;
  version: number;
}

function breachOf(r: BreachRow): Breach {
  return {
    id: r.id,
    summary: r.summary,
    detectedAt: r.detected_at,
    recordedAt: r.recorded_at,
    notifyDueAt: r.notify_due_at,
    dataCategories: r.data_categories,
    consumerOrgIds: r.consumer_org_ids,
    fields: r.fields,
    window: { from: r.window_from, to: r.window_to },
    consequences: r.consequences,
    measures: r.measures,
    contact: r.contact,
    lateReason: r.late_reason,
    authorityNotifiedAt: r.authority_notified_at,
    state: r.state,
    closedAt: r.closed_at,
    affectedSubjects: r.affected_subjects,
    affectedReads: r.affected_reads,
    version: r.version,
  };
}

/** The element type of a uuid[] column, which a plain string array would not match. */
const UUID_OID = 2950;

function rowOf(sql: Pick<Sql, 'array'>, b: Breach) {
  return {
    id: b.id,
    summary: b.summary,
    detected_at: b.detectedAt,
    recorded_at: b.recordedAt,
    notify_due_at: b.notifyDueAt,
    data_categories: sql.array(b.dataCategories),
    consumer_org_ids: sql.array(b.consumerOrgIds, UUID_OID),
    fields: sql.array(b.fields),
    window_from: b.window.from,
    window_to: b.window.to,
    consequences: b.consequences,
    measures: b.measures,
    contact: b.contact,
    late_reason: b.lateReason,
    authority_notified_at: b.authorityNotifiedAt,
    state: b.state,
    closed_at: b.closedAt,
    affected_subjects: b.affectedSubjects,
    affected_reads: b.affectedReads,
    version: b.version,
  };
}

/** Breaches in Postgres. The affected citizens are one set-based statement over the access log, whatever their number. */
export class PgBreachStore implements BreachStore {
  constructor(private readonly sql: Sql) {}

  async write(breach: Breach, expectedVersion: number | null, compose: (affected: AffectedSummary) => ComposedVersion): Promise<Breach | undefined> {
    return this.sql.begin(async (tx) => {
      const row = rowOf(tx, breach);
      if (expectedVersion === null) {
        await tx`insert into breaches ${tx(row as never)}`;
      } else {
        const { id: _id, detected_at: _d, recorded_at: _r, notify_due_at: _n, ...changed } = row;
        const updated = await tx`update breaches set ${tx(changed as never)} where id = ${breach.id} and version = ${expectedVersion}`;
        if (updated.count !== 1) return undefined;
      }
      const affected = await recomputeAffected(tx, breach);
      const version = compose(affected);
      const b = version.breach;
      await tx`update breaches set affected_subjects = ${b.affectedSubjects}, affected_reads = ${b.affectedReads} where id = ${b.id}`;
      await tx`
        insert into breach_versions (breach_id, version, action, at, record_hash, ledger_record)
        values (${b.id}, ${b.version}, ${version.action}, ${version.at}, ${version.recordHash}, ${tx.json(version.ledgerRecord as never)})`;
      if (version.notices.length > 0) {
        await tx`insert into breach_org_notices ${tx(
          version.notices.map((n) => ({
            breach_id: b.id,
            version: b.version,
            organization_id: n.organizationId,
            event_type: n.eventType,
            data: tx.json(n.data as never),
          })),
        )}`;
      }
      return b;
    });
  }

  async get(id: string): Promise<Breach | undefined> {
    const [row] = await this.sql<BreachRow[]>`select * from breaches where id = ${id}`;
    return row ? breachOf(row) : undefined;
  }

  async list(): Promise<Breach[]> {
    const rows = await this.sql<BreachRow[]>`
      select * from breaches order by state = 'CLOSED', case when state = 'OPEN' then notify_due_at end, detected_at desc limit 1000`;
    return rows.map(breachOf);
  }

  async versions(id: string): Promise<BreachVersionRow[]> {
    const rows = await this.sql<
      {
        version: number;
        action: BreachAction;
        at: Date;
        record_hash: string;
        affected_hash: string;
        recorded_tx_id: string | null;
        ledger_error: string | null;
      }[]
    >`
      select version, action, at, record_hash, ledger_record->>'affectedHash' as affected_hash, recorded_tx_id, ledger_error
      from breach_versions where breach_id = ${id} order by version`;
    return rows.map((r) => ({
      version: r.version,
      action: r.action,
      at: r.at,
      recordHash: r.record_hash,
      affectedHash: r.affected_hash,
      ledgerTransactionId: r.recorded_tx_id,
      ledgerError: r.ledger_error,
    }));
  }

  async affectedByOrganization(id: string): Promise<Map<string, number>> {
    return byOrganization(this.sql, id);
  }

  async organizationNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sql<{ id: string; name: string }[]>`select id, name from organizations where id = any(${[...ids]}::uuid[])`;
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async noticesOf(subjectId: string): Promise<CitizenNotice[]> {
    const rows = await this.sql<
      (BreachRow & {
        n_fields: string[];
        n_consumer_org_ids: string[];
        n_reads: number;
        n_first_read_at: Date;
        n_last_read_at: Date;
        n_notified_at: Date;
      })[]
    >`
      select b.*, s.fields as n_fields, s.consumer_org_ids as n_consumer_org_ids, s.reads as n_reads,
             s.first_read_at as n_first_read_at, s.last_read_at as n_last_read_at, s.notified_at as n_notified_at
      from breach_subjects s join breaches b on b.id = s.breach_id
      where s.subject_id = ${subjectId} order by b.detected_at desc limit 500`;
    return rows.map((r) => ({
      breach: breachOf(r),
      fields: r.n_fields,
      consumerOrgIds: r.n_consumer_org_ids,
      reads: r.n_reads,
      firstReadAt: r.n_first_read_at,
      lastReadAt: r.n_last_read_at,
      notifiedAt: r.n_notified_at,
    }));
  }

  async pendingVersions(limit: number, breachId?: string): Promise<PendingVersion[]> {
    const rows = await this.sql<{ breach_id: string; version: number; ledger_record: BreachRecordValue; ledger_attempts: number }[]>`
      select breach_id, version, ledger_record, ledger_attempts from breach_versions
      where recorded_tx_id is null ${breachId ? this.sql`and breach_id = ${breachId}` : this.sql``}
      order by breach_id, version limit ${limit}`;
    return rows.map((r) => ({ breachId: r.breach_id, version: r.version, record: r.ledger_record, attempts: r.ledger_attempts }));
  }

  async markRecorded(breachId: string, version: number, txId: string): Promise<void> {
    await this.sql`
      update breach_versions set recorded_tx_id = ${txId}, recorded_at = now(), ledger_error = null
      where breach_id = ${breachId} and version = ${version} and recorded_tx_id is null`;
  }

  async markAttemptFailed(breachId: string, version: number, error: string): Promise<void> {
    await this.sql`
      update breach_versions set ledger_attempts = ledger_attempts + 1, ledger_error = ${error}
      where breach_id = ${breachId} and version = ${version} and recorded_tx_id is null`;
  }

  async pendingNotices(limit: number, breachId?: string): Promise<PendingNotice[]> {
    const rows = await this.sql<
      { breach_id: string; version: number; organization_id: string; event_type: string; data: Record<string, unknown>; attempts: number }[]
    >`
      select breach_id, version, organization_id, event_type, data, attempts from breach_org_notices
      where queued_at is null ${breachId ? this.sql`and breach_id = ${breachId}` : this.sql``}
      order by breach_id, version, organization_id limit ${limit}`;
    return rows.map((r) => ({
      breachId: r.breach_id,
      version: r.version,
      organizationId: r.organization_id,
      eventType: r.event_type,
      data: r.data,
      attempts: r.attempts,
    }));
  }

  async markQueued(n: Pick<PendingNotice, 'breachId' | 'version' | 'organizationId'>): Promise<void> {
    await this.sql`
      update breach_org_notices set queued_at = now(), last_error = null
      where breach_id = ${n.breachId} and version = ${n.version} and organization_id = ${n.organizationId}`;
  }

  async markNoticeFailed(n: Pick<PendingNotice, 'breachId' | 'version' | 'organizationId'>, error: string): Promise<void> {
    await this.sql`
      update breach_org_notices set attempts = attempts + 1, last_error = ${error}
      where breach_id = ${n.breachId} and version = ${n.version} and organization_id = ${n.organizationId}`;
  }
}

/**
 * The citizens a breach affects: every GRANTED read (a denied read released nothing) by one of its
 * consumers, inside its window [from, to), of at least one of its fields. One statement: the reads
 * are found through the (consumer, time) index, grouped per citizen, written over the previous
 * version's set (rows no longer affected are removed; the time each citizen was first told stays).
 */
async function recomputeAffected(tx: postgres.TransactionSql, b: Breach): Promise<AffectedSummary> {
  await tx`
    with hits as (
      select e.id, e.subject_id, e.consumer_org_id, e.at, f.field
      from access_events e cross join lateral unnest(e.fields) as f(field)
      where e.outcome = 'GRANTED'
        and e.consumer_org_id = any(${b.consumerOrgIds}::uuid[])
        and e.at >= ${b.window.from} and e.at < ${b.window.to}
        and f.field = any(${b.fields}::text[])
    ), affected as (
      select subject_id,
             array_agg(distinct field order by field) as fields,
             array_agg(distinct consumer_org_id order by consumer_org_id) as consumer_org_ids,
             count(distinct id)::int as reads, min(at) as first_read_at, max(at) as last_read_at
      from hits group by subject_id
    ), gone as (
      delete from breach_subjects s
      where s.breach_id = ${b.id} and not exists (select 1 from affected a where a.subject_id = s.subject_id)
    )
    insert into breach_subjects (breach_id, subject_id, fields, consumer_org_ids, reads, first_read_at, last_read_at, notified_at)
    select ${b.id}, subject_id, fields, consumer_org_ids, reads, first_read_at, last_read_at, now() from affected
    on conflict (breach_id, subject_id) do update set
      fields = excluded.fields, consumer_org_ids = excluded.consumer_org_ids, reads = excluded.reads,
      first_read_at = excluded.first_read_at, last_read_at = excluded.last_read_at`;
  const [totals] = await tx<{ subjects: number; reads: number; affected_hash: string }[]>`
    select count(*)::int as subjects, coalesce(sum(reads), 0)::int as reads,
           encode(sha256(convert_to(coalesce(string_agg(subject_id::text, E'\n' order by subject_id::text), ''), 'UTF8')), 'hex') as affected_hash
    from breach_subjects where breach_id = ${b.id}`;
  return { subjects: totals!.subjects, reads: totals!.reads, affectedHash: totals!.affected_hash, byOrganization: await byOrganization(tx, b.id) };
}

async function byOrganization(sql: Sql | postgres.TransactionSql, breachId: string): Promise<Map<string, number>> {
  const rows = await sql<{ org: string; subjects: number }[]>`
    select org, count(*)::int as subjects from breach_subjects s cross join lateral unnest(s.consumer_org_ids) as org
    where s.breach_id = ${breachId} group by org`;
  return new Map(rows.map((r) => [r.org, r.subjects]));
}
