import type { Sql } from '../infra/database.js';
import type { After, RetentionStore } from './ports.js';
import type { DeletionState, RetentionDeadline } from './retention-deadline.js';

interface Row {
  access_event_id: string;
  consent_id: string;
  subject_id: string;
  consumer_org_id: string;
  consumer_name: string;
  purpose: string;
  fields: string[];
  read_at: Date;
  retention_days: number;
  delete_by: Date;
  deletion_confirmed_at: Date | null;
}

const deadline = (r: Row): RetentionDeadline => ({
  accessEventId: r.access_event_id,
  consentId: r.consent_id,
  subjectId: r.subject_id,
  consumer: { id: r.consumer_org_id, name: r.consumer_name },
  purpose: r.purpose,
  fields: r.fields,
  readAt: r.read_at,
  retentionDays: r.retention_days,
  deleteBy: r.delete_by,
  deletionConfirmedAt: r.deletion_confirmed_at,
});

/** The deletion deadlines in Postgres (`retention_deadlines`, filled by a trigger on `access_events`). */
export class PgRetention implements RetentionStore {
  constructor(private readonly sql: Sql) {}

  private select() {
    return this.sql`
      select d.access_event_id, d.consent_id, d.subject_id, d.consumer_org_id, o.name as consumer_name, e.purpose, d.fields,
             d.read_at, d.retention_days, d.delete_by, d.deletion_confirmed_at
      from retention_deadlines d join access_events e on e.id = d.access_event_id join organizations o on o.id = d.consumer_org_id`;
  }

  private stateIs(state: DeletionState | undefined, now: Date) {
    const sql = this.sql;
    if (state === 'CONFIRMED') return sql`and d.deletion_confirmed_at is not null`;
    if (state === 'OVERDUE') return sql`and d.deletion_confirmed_at is null and d.delete_by < ${now}`;
    if (state === 'PENDING') return sql`and d.deletion_confirmed_at is null and d.delete_by >= ${now}`;
    return sql``;
  }

  async ofConsumer(consumerOrgId: string, q: { state?: DeletionState; now: Date; limit: number; after?: After }): Promise<RetentionDeadline[]> {
    const sql = this.sql;
    const rows = await sql<Row[]>`${this.select()}
      where d.consumer_org_id = ${consumerOrgId} ${this.stateIs(q.state, q.now)}
      ${q.after ? sql`and (d.delete_by, d.access_event_id) > (${q.after.at}, ${q.after.id})` : sql``}
      order by d.delete_by, d.access_event_id limit ${q.limit}`;
    return rows.map(deadline);
  }

  async ofSubject(subjectId: string, q: { limit: number; after?: After }): Promise<RetentionDeadline[]> {
    const sql = this.sql;
    const rows = await sql<Row[]>`${this.select()}
      where d.subject_id = ${subjectId}
      ${q.after ? sql`and (d.read_at, d.access_event_id) < (${q.after.at}, ${q.after.id})` : sql``}
      order by d.read_at desc, d.access_event_id desc limit ${q.limit}`;
    return rows.map(deadline);
  }

  async overdueCountOfSubject(subjectId: string, now: Date): Promise<number> {
    const [row] = await this.sql<{ n: number }[]>`
      select count(*)::int as n from retention_deadlines where subject_id = ${subjectId} and deletion_confirmed_at is null and delete_by < ${now}`;
    return row?.n ?? 0;
  }

  async overdue(q: { now: Date; consumerOrgId?: string; limit: number; after?: After }): Promise<RetentionDeadline[]> {
    const sql = this.sql;
    const rows = await sql<Row[]>`${this.select()}
      where d.deletion_confirmed_at is null and d.delete_by < ${q.now}
      ${q.consumerOrgId ? sql`and d.consumer_org_id = ${q.consumerOrgId}` : sql``}
      ${q.after ? sql`and (d.delete_by, d.access_event_id) > (${q.after.at}, ${q.after.id})` : sql``}
      order by d.delete_by, d.access_event_id limit ${q.limit}`;
    return rows.map(deadline);
  }

  async confirm(consumerOrgId: string, accessEventId: string, at: Date): Promise<RetentionDeadline | undefined> {
    const sql = this.sql;
    await sql`
      update retention_deadlines set deletion_confirmed_at = ${at}
      where access_event_id = ${accessEventId} and consumer_org_id = ${consumerOrgId} and deletion_confirmed_at is null`;
    const [row] = await sql<Row[]>`${this.select()} where d.access_event_id = ${accessEventId} and d.consumer_org_id = ${consumerOrgId}`;
    return row ? deadline(row) : undefined;
  }
}
