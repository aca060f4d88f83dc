import type { Sql } from '../infra/database.js';
import { sameRequest, type MeterOutcome, type MeterRequest, type MeteringEventRow } from './metering-records.js';
import type { MeteringStore } from './ports.js';

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
   * In one transaction: records the use under its request key (a retry — even a concurrent one —
   * finds the first record instead: `replayed`), takes its units from every quota window and its ε
   * from the licence's privacy budget, each with a conditional update, so racing uses can never
   * overrun a limit. `during` runs inside, after every check: if it throws, nothing is billed.
   */
  async meter(r: MeterRequest, during?: () => Promise<void>): Promise<MeterOutcome> {
    try {
      return await this.sql.begin(async (tx) => {
        const [inserted] = await tx<MeteringEventRow[]>`
          insert into metering_events (id, licence_id, request_key, request_hash, period, units, amount_dong, epsilon_micro, result, subject_id, at)
          values (${r.id}, ${r.licenceId}, ${r.requestKey}, ${r.requestHash}, ${r.period}, ${r.units}, ${r.amountDong.toString()}, ${r.epsilonMicro.toString()},
                  ${r.result === undefined ? null : tx.json(r.result as never)}, ${r.subjectId ?? null}, ${r.at})
          on conflict (licence_id, request_key) do nothing returning *`;
        if (!inserted) {
          const [first] = await tx<MeteringEventRow[]>`select * from metering_events where licence_id = ${r.licenceId} and request_key = ${r.requestKey}`;
          if (!sameRequest(first!, r.requestHash)) return { outcome: 'key_reused' } as const;
          return { outcome: 'replayed', event: first! } as const;
        }
        for (const w of r.windows) {
          const taken = await tx`
            insert into licence_usage (licence_id, window_key, units) select ${r.licenceId}, ${w.key}, ${r.units} where ${r.units}::int <= ${w.limit}::int
            on conflict (licence_id, window_key) do update set units = licence_usage.units + ${r.units} where licence_usage.units + ${r.units} <= ${w.limit}
            returning units`;
          if (taken.length === 0) throw new Refused({ outcome: 'quota_exceeded', window: w.key, limit: w.limit });
        }
        if (r.epsilonMicro > 0n) {
          const spent = await tx`
            update licences set privacy_spent_micro = privacy_spent_micro + ${r.epsilonMicro.toString()}
            where id = ${r.licenceId} and privacy_budget_micro is not null and privacy_spent_micro + ${r.epsilonMicro.toString()} <= privacy_budget_micro
            returning privacy_spent_micro`;
          if (spent.length === 0) throw new Refused({ outcome: 'privacy_budget_exhausted' });
        }
        if (during) await during();
        return { outcome: 'metered', event: inserted } as const;
      });
    } catch (err) {
      if (err instanceof Refused) return err.outcome;
      throw err;
    }
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
