import type { Sql } from '../infra/database.js';

/** What an EXPORT request was carried out over: the signed tree head its access history is proven against. */
export interface ExportSnapshot {
  requestId: string;
  subjectId: string;
  treeSize: number;
  asOf: Date;
  counts: Record<string, number>;
  producedAt: Date;
}

export interface LicenceUse {
  licence_id: string;
  product_id: string;
  product_kind: string;
  product_title: { vi: string; en: string };
  buyer_org_id: string;
  buyer_name: string;
  purpose: string;
  period: string;
  uses: number;
  records: string;
  first_at: Date;
  last_at: Date;
}

/** The export's own table, and the few read-only queries the bundle needs that no capability answers by subject. */
export interface ExportStore {
  /** Keeps a request's snapshot; the first one kept stays (answered). */
  keep(s: ExportSnapshot): Promise<ExportSnapshot>;
  get(requestId: string): Promise<ExportSnapshot | undefined>;
  /** How many of the subject's reads are in the first `treeSize` leaves, and how many consents they have. */
  counts(subjectId: string, treeSize: number): Promise<Record<string, number>>;
  /** The subject's metered uses up to `asOf`, per licence and month. */
  licenceUses(subjectId: string, asOf: Date): Promise<LicenceUse[]>;
}

interface SnapshotRow {
  request_id: string;
  subject_id: string;
  tree_size: string;
  as_of: Date;
  counts: Record<string, number>;
  produced_at: Date;
}

const snapshot = (r: SnapshotRow): ExportSnapshot => ({
  requestId: r.request_id,
  subjectId: r.subject_id,
  treeSize: Number(r.tree_size),
  asOf: r.as_of,
  counts: r.counts,
  producedAt: r.produced_at,
});

export class PgExportStore implements ExportStore {
  constructor(private readonly sql: Sql) {}

  async keep(s: ExportSnapshot): Promise<ExportSnapshot> {
    await this.sql`
      insert into rights_exports (request_id, subject_id, tree_size, as_of, counts, produced_at)
      values (${s.requestId}, ${s.subjectId}, ${s.treeSize}, ${s.asOf}, ${this.sql.json(s.counts)}, ${s.producedAt})
      on conflict (request_id) do nothing`;
    return (await this.get(s.requestId))!;
  }

  async get(requestId: string): Promise<ExportSnapshot | undefined> {
    const [row] = await this.sql<SnapshotRow[]>`select * from rights_exports where request_id = ${requestId}`;
    return row ? snapshot(row) : undefined;
  }

  async counts(subjectId: string, treeSize: number): Promise<Record<string, number>> {
    const [row] = await this.sql<{ access_events: number; consents: number; records: number }[]>`
      select (select count(*)::int from access_events where subject_id = ${subjectId} and leaf_index < ${treeSize}) as access_events,
             (select count(*)::int from consents where subject_id = ${subjectId}) as consents,
             (select count(*)::int from records where subject_id = ${subjectId}) as records`;
    return { accessEvents: row!.access_events, consents: row!.consents, records: row!.records };
  }

  async licenceUses(subjectId: string, asOf: Date): Promise<LicenceUse[]> {
    return this.sql<LicenceUse[]>`
      select l.id as licence_id, p.id as product_id, p.kind as product_kind, p.title as product_title, l.buyer_org_id, o.name as buyer_name, l.purpose,
             m.period, count(*)::int as uses, sum(m.units)::bigint as records, min(m.at) as first_at, max(m.at) as last_at
      from metering_events m join licences l on l.id = m.licence_id join products p on p.id = l.product_id join organizations o on o.id = l.buyer_org_id
      where m.subject_id = ${subjectId} and m.at <= ${asOf}
      group by l.id, p.id, o.name, m.period
      order by l.id, m.period`;
  }
}
