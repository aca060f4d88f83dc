import type postgres from 'postgres';
import type { Sql } from '../infra/database.js';
import { billedEventRow, type MeterOutcome, type MeterRequest, type MeteringEventRow } from './metering-records.js';
import type { CountsQuery, MeteringStore } from './ports.js';
import { cellsOf, countsStatement, type CountRow } from './pg-statistics.js';
import type { Cell } from './statistics-query.js';

class Refused extends Error {
  constructor(readonly outcome: MeterOutcome) {
    super('refused');
  }
}

/** Metering: every billable use recorded once per (licence, request key), quotas and privacy budgets taken atomically. */
export class PgMetering implements MeteringStore {
  private leaves: { eventId: string; leafIndex: number; done(err?: unknown): void }[] = [];

  constructor(private readonly sql: Sql) {}

  /**
   * In one statement (`meter_use`, migration 032): checks the licence is still at the version the
   * caller checked (`stale` if not), records the use under its request key (a retry — even a
   * concurrent one — finds the first record instead: `replayed`), takes its units from every quota
   * window and its ε from the licence's privacy budget, each with a conditional update, so racing
   * uses can never overrun a limit. A billed use commits without waiting for its own WAL flush: its
   * access-log leaf, appended next and answered only once flushed, makes it durable (the WAL is
   * flushed in order). `during` runs in the same transaction, after every check: if it throws,
   * nothing is billed.
   */
  async meter(r: MeterRequest, during?: () => Promise<void>): Promise<MeterOutcome> {
    const use = async (sql: Sql | postgres.TransactionSql): Promise<MeterOutcome> => {
      const [row] = await sql<MeterRow[]>`select outcome, refused_window, event from ${meterUse(sql, r)}`;
      return outcomeOf(row!, r);
    };
    if (!during) return use(this.sql);
    try {
      return await this.sql.begin(async (tx) => {
        const outcome = await use(tx);
        if (outcome.outcome !== 'metered') throw new Refused(outcome);
        await during();
        return outcome;
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome;
      throw err;
    }
  }

  /**
   * `meter_use` and the counts in one statement: the counts are computed (laterally, after the use
   * is billed, in the same snapshot) only for a billed use, and should they fail, nothing is billed.
   */
  async meterCounting(r: MeterRequest, q: CountsQuery): Promise<{ outcome: MeterOutcome; counts: Cell[] }> {
    const sql = this.sql;
    const request = { ...r, result: undefined };
    const [row] = await sql<(MeterRow & { cells: CountRow[] | null })[]>`
      select m.outcome, m.refused_window, m.event, c.cells from ${meterUse(sql, request)} m
      left join lateral (select coalesce(json_agg(q), '[]'::json) as cells from (${countsStatement(sql, q.groupBy, q.filter, q.at)}) q) c on m.outcome = 'metered'`;
    return { outcome: outcomeOf(row!, request), counts: row!.cells ? cellsOf(row!.cells, q.groupBy) : [] };
  }

  async existing(licenceId: string, requestKey: string): Promise<MeteringEventRow | undefined> {
    const [row] = await this.sql<MeteringEventRow[]>`select * from metering_events where licence_id = ${licenceId} and request_key = ${requestKey}`;
    return row;
  }

  /**
   * Links a metered use to its access-log leaf. Links made in the same turn of the event loop are
   * written in one statement (one commit), as the access log itself group-commits its appends.
   */
  setLeaf(eventId: string, leafIndex: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.leaves.push({ eventId, leafIndex, done: (err) => (err ? reject(err) : resolve()) });
      if (this.leaves.length === 1) setImmediate(() => void this.flushLeaves());
    });
  }

  private async flushLeaves(): Promise<void> {
    const batch = this.leaves;
    this.leaves = [];
    try {
      await this.sql`
        update metering_events m set leaf_index = v.leaf_index
        from (select unnest(${batch.map((b) => b.eventId)}::uuid[]) as id, unnest(${batch.map((b) => b.leafIndex)}::bigint[]) as leaf_index) v
        where m.id = v.id and m.leaf_index is null`;
      for (const b of batch) b.done();
    } catch (err) {
      for (const b of batch) b.done(err);
    }
  }

  async usage(
    licenceId: string,
  ): Promise<{ windows: { window_key: string; units: string }[]; totals: { period: string; calls: number; units: string; amount_dong: string }[] }> {
    const [windows, totals] = await Promise.all([
      this.sql<{ window_key: string; units: string }[]>`select window_key, units from licence_usage where licence_id = ${licenceId} order by window_key`,
      this.sql<{ period: string; calls: number; units: string; amount_dong: string }[]>`
        select period, count(*)::int as calls, sum(units)::bigint as units, sum(amount_dong)::bigint as amount_dong
        from metering_events where licence_id = ${licenceId} group by period order by period desc limit 24`,
    ]);
    return { windows, totals };
  }

  async recentEvents(licenceId: string, limit: number): Promise<MeteringEventRow[]> {
    return this.sql<MeteringEventRow[]>`
      select id, licence_id, request_key, null as request_hash, period, units, amount_dong, epsilon_micro, null as result, leaf_index, null as subject_id, at
      from metering_events where licence_id = ${licenceId} order by at desc, id desc limit ${limit}`;
  }
}

interface MeterRow {
  outcome: string;
  refused_window: string | null;
  event: Record<string, unknown> | null;
}

/** The call of `meter_use` (migration 032) for a request, as a FROM item. */
function meterUse(sql: Sql | postgres.TransactionSql, r: MeterRequest) {
  return sql`meter_use(${r.id}, ${r.licenceId}, ${r.expectedVersion ?? null}, ${r.requestKey}, ${r.requestHash}, ${r.period}, ${r.units},
    ${r.amountDong.toString()}, ${r.epsilonMicro.toString()}, ${r.result === undefined ? null : sql.json(r.result as never)}, ${r.subjectId ?? null}, ${r.at},
    ${r.windows.map((w) => w.key)}::text[], ${r.windows.map((w) => w.limit)}::int[], ${r.durableWithLeaf === true})`;
}

/** What `meter_use` answered, as the store's outcome: a billed use's row is the request itself, a replay's is the first use's. */
function outcomeOf(row: MeterRow, r: MeterRequest): MeterOutcome {
  switch (row.outcome) {
    case 'metered':
      return { outcome: 'metered', event: billedEventRow(r) };
    case 'replayed': {
      const e = row.event!;
      return {
        outcome: 'replayed',
        event: {
          id: e.id as string,
          licence_id: e.licence_id as string,
          request_key: e.request_key as string,
          request_hash: (e.request_hash as string | null) ?? null,
          period: e.period as string,
          units: e.units as number,
          amount_dong: e.amount_dong as string,
          epsilon_micro: e.epsilon_micro as string,
          result: e.result ?? null,
          leaf_index: (e.leaf_index as string | null) ?? null,
          subject_id: (e.subject_id as string | null) ?? null,
          at: new Date(e.at as string),
        },
      };
    }
    case 'quota_exceeded':
      return { outcome: 'quota_exceeded', window: row.refused_window!, limit: r.windows.find((w) => w.key === row.refused_window)!.limit };
    case 'key_reused':
    case 'privacy_budget_exhausted':
    case 'stale':
      return { outcome: row.outcome };
    default:
      throw new Error(`meter_use answered ${row.outcome}`);
  }
}
