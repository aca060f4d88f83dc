import type { Sql } from '../infra/database.js';
import type { NewStatement, SettlementStore } from './ports.js';
import type { PeriodUsageRow } from './settlement-records.js';

/** The sums behind statements and the public statistics. */
export class PgSettlement implements SettlementStore {
  constructor(private readonly sql: Sql) {}

  /**
   * Per licence that could owe something in the month (it was valid during it, or has usage in it):
   * its calls, units and đồng metered in the month, and its anchored statement if the month is closed.
   */
  async periodUsage(period: string, scope: { buyerOrgId?: string; partyOrgId?: string; licenceIds?: string[] }): Promise<PeriodUsageRow[]> {
    const sql = this.sql;
    const start = new Date(`${period}-01T00:00:00.000Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    return sql<PeriodUsageRow[]>`
      select l.id as licence_id, l.product_id, p.kind, l.buyer_org_id, p.provider_org_id, l.plan, l.status, l.valid_from, l.valid_until, l.updated_at,
             coalesce(m.calls, 0)::int as calls, coalesce(m.units, 0)::bigint as units, coalesce(m.amount, 0)::bigint as usage_dong,
             s.units as statement_units, s.amount_dong as statement_amount, s.anchor_tx_id, s.anchored_at
      from licences l
      join products p on p.id = l.product_id
      left join lateral (select count(*) as calls, sum(units) as units, sum(amount_dong) as amount from metering_events e where e.licence_id = l.id and e.period = ${period}) m on true
      left join statements s on s.licence_id = l.id and s.period = ${period}
      where ((l.valid_from < ${end} and l.valid_until > ${start}) or m.calls > 0 or s.licence_id is not null)
      ${scope.buyerOrgId ? sql`and l.buyer_org_id = ${scope.buyerOrgId}` : sql``}
      ${scope.partyOrgId ? sql`and (l.buyer_org_id = ${scope.partyOrgId} or p.provider_org_id = ${scope.partyOrgId})` : sql``}
      ${scope.licenceIds ? sql`and l.id = any(${scope.licenceIds}::uuid[])` : sql``}
      order by l.issued_at, l.id`;
  }

  /** Records read per citizen in a month, for every licence that read the given citizen's. */
  async recordsReadAlongside(subjectId: string, period: string): Promise<{ licence_id: string; subject_id: string; units: string }[]> {
    return this.sql<{ licence_id: string; subject_id: string; units: string }[]>`
      select licence_id, subject_id, sum(units)::bigint as units from metering_events
      where period = ${period} and subject_id is not null
        and licence_id in (select licence_id from metering_events where subject_id = ${subjectId} and period = ${period})
      group by licence_id, subject_id order by licence_id, subject_id`;
  }

  async insertStatement(s: NewStatement): Promise<void> {
    await this.sql`
      insert into statements (licence_id, period, units, amount_dong, split, anchor_tx_id, anchored_at)
      values (${s.licenceId}, ${s.period}, ${s.units}, ${s.amountDong}, ${this.sql.json(s.split)}, ${s.txId}, ${s.anchoredAt})
      on conflict (licence_id, period) do nothing`;
  }

  async listedProducts(): Promise<{ kind: string; n: number }[]> {
    return this.sql<{ kind: string; n: number }[]>`select kind, count(*)::int as n from products where status = 'LISTED' group by kind order by kind`;
  }

  async activeLicences(at: Date): Promise<number> {
    const [row] = await this.sql<
      { n: number }[]
    >`select count(*)::int as n from licences where status = 'ACTIVE' and valid_from <= ${at} and valid_until > ${at}`;
    return row?.n ?? 0;
  }
}
