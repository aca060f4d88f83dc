import type { Sql } from '../infra/database.js';
import type { RefusalReason } from '../rights/index.js';
import type { RectificationStore, RectificationTask, Resolution, SealedProposal, TaskStatus } from './ports.js';

interface TaskRow {
  id: string;
  request_id: string;
  subject_id: string;
  custodian_org_id: string;
  record_id: string;
  category: string;
  fields: string[];
  base_version: number;
  status: TaskStatus;
  created_at: Date;
  resolved_at: Date | null;
  reject_reason: string | null;
  new_version: number | null;
}

const taskOf = (r: TaskRow): RectificationTask => ({
  id: r.id,
  requestId: r.request_id,
  subjectId: r.subject_id,
  custodianOrgId: r.custodian_org_id,
  recordId: r.record_id,
  category: r.category,
  fields: r.fields,
  baseVersion: r.base_version,
  status: r.status,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
  // Written only from the RefusalReason union by resolve().
  rejectReason: r.reject_reason as RefusalReason | null,
  newVersion: r.new_version,
});

/** Rectification tasks and the sealed proposals in Postgres. */
export class PgRectificationTasks implements RectificationStore {
  constructor(private readonly sql: Sql) {}

  async insert(requestId: string, proposals: readonly SealedProposal[], tasks: readonly RectificationTask[]): Promise<void> {
    await this.sql.begin(async (tx) => {
      for (const p of proposals) await tx`insert into rectification_values (request_id, field, sealed_value) values (${requestId}, ${p.field}, ${p.sealed})`;
      for (const t of tasks)
        await tx`
          insert into rectification_tasks (id, request_id, subject_id, custodian_org_id, record_id, category, fields, base_version, status, created_at)
          values (${t.id}, ${t.requestId}, ${t.subjectId}, ${t.custodianOrgId}, ${t.recordId}, ${t.category}, ${t.fields}, ${t.baseVersion}, 'OPEN', ${t.createdAt})`;
    });
  }

  async get(id: string): Promise<RectificationTask | undefined> {
    const [row] = await this.sql<TaskRow[]>`select * from rectification_tasks where id = ${id}`;
    return row && taskOf(row);
  }

  async forCustodian(
    custodianOrgId: string,
    page: { status?: TaskStatus; limit: number; after?: { createdAt: Date; id: string } },
  ): Promise<RectificationTask[]> {
    const rows = await this.sql<TaskRow[]>`
      select * from rectification_tasks
      where custodian_org_id = ${custodianOrgId}
        ${page.status ? this.sql`and status = ${page.status}` : this.sql``}
        ${page.after ? this.sql`and (created_at, id) > (${page.after.createdAt}, ${page.after.id})` : this.sql``}
      order by created_at, id limit ${page.limit}`;
    return rows.map(taskOf);
  }

  async forRequest(requestId: string): Promise<RectificationTask[]> {
    return (await this.sql<TaskRow[]>`select * from rectification_tasks where request_id = ${requestId} order by created_at, id`).map(taskOf);
  }

  async proposals(requestId: string): Promise<SealedProposal[]> {
    return (
      await this.sql<
        { field: string; sealed_value: Buffer }[]
      >`select field, sealed_value from rectification_values where request_id = ${requestId} order by field`
    ).map((r) => ({ field: r.field, sealed: r.sealed_value }));
  }

  async resolve(id: string, resolution: Resolution, at: Date): Promise<boolean> {
    const rows =
      resolution.status === 'ACCEPTED'
        ? await this.sql`update rectification_tasks set status = 'ACCEPTED', new_version = ${resolution.newVersion}, resolved_at = ${at}
                         where id = ${id} and status = 'OPEN' returning id`
        : await this.sql`update rectification_tasks set status = 'REJECTED', reject_reason = ${resolution.reason}, resolved_at = ${at}
                         where id = ${id} and status = 'OPEN' returning id`;
    return rows.length === 1;
  }
}
