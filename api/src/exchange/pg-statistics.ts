import type { Sql } from '../infra/database.js';
import type { StatisticsExclusion, StatisticsStore } from './ports.js';
import type { Dimension } from './exchange-vocabulary.js';
import type { StatisticsAttributes, StatisticsFilter } from './statistics-records.js';
import type { Cell } from './statistics-query.js';
import { birthYearsOf } from './statistics-query.js';

/**
 * The statistics projection: one row of coarse attributes per citizen (province, birth year, sex,
 * insurance status), written when records are deposited, so a statistic is one scan of a narrow
 * table — nothing is decrypted per query — and a citizen's opt-out is honoured by every query.
 */
export class PgStatistics implements StatisticsStore, StatisticsExclusion {
  constructor(private readonly sql: Sql) {}

  /** Merges the attributes one deposited record contributes (`undefined` leaves a column as it is). */
  async upsert(subjectId: string, a: StatisticsAttributes): Promise<void> {
    if (a.province === undefined && a.birthYear === undefined && a.sex === undefined && a.insuranceStatus === undefined) return;
    await retryOnDeadlock(
      () => this.sql`
      insert into statistics_profiles (subject_id, province, birth_year, sex, insurance_status)
      values (${subjectId}, ${a.province ?? null}, ${a.birthYear ?? null}, ${a.sex ?? null}, ${a.insuranceStatus ?? null})
      on conflict (subject_id) do update set
        province = coalesce(excluded.province, statistics_profiles.province),
        birth_year = coalesce(excluded.birth_year, statistics_profiles.birth_year),
        sex = coalesce(excluded.sex, statistics_profiles.sex),
        insurance_status = coalesce(excluded.insurance_status, statistics_profiles.insurance_status),
        updated_at = now()`,
    );
  }

  async setOptOut(subjectId: string, optedOut: boolean): Promise<void> {
    await retryOnDeadlock(
      () => this.sql`
      insert into statistics_profiles (subject_id, opted_out) values (${subjectId}, ${optedOut})
      on conflict (subject_id) do update set opted_out = excluded.opted_out, updated_at = now()`,
    );
  }

  /** An erased citizen leaves the projection: the row goes, and the cube's trigger takes them out of their cell. */
  async forget(subjectId: string): Promise<void> {
    await retryOnDeadlock(() => this.sql`delete from statistics_profiles where subject_id = ${subjectId}`);
  }

  /** A restricted citizen stays in the projection (new deposits still land) but out of every count until lifted. */
  async setRestricted(subjectId: string, restricted: boolean): Promise<void> {
    await retryOnDeadlock(
      () => this.sql`
      insert into statistics_profiles (subject_id, restricted) values (${subjectId}, ${restricted})
      on conflict (subject_id) do update set restricted = excluded.restricted, updated_at = now()`,
    );
  }

  async optedOut(subjectId: string): Promise<boolean> {
    const [row] = await this.sql<{ opted_out: boolean }[]>`select opted_out from statistics_profiles where subject_id = ${subjectId}`;
    return row?.opted_out ?? false;
  }

  /**
   * True counts per combination of the grouping dimensions, citizens who opted out left out: a sum
   * over the cube the trigger keeps, so the cost follows the number of combinations, not citizens.
   */
  async counts(groupBy: readonly Dimension[], filter: StatisticsFilter, at: Date): Promise<Cell[]> {
    return cellsOf(await this.sql<CountRow[]>`${countsStatement(this.sql, groupBy, filter, at)}`, groupBy);
  }
}

/** A row of `countsStatement`: the count, and the value of each grouping dimension as `d0`, `d1`, … */
export type CountRow = Record<string, string | number | null>;

/** The statement behind `counts`, to run alone or inside another (the metering of a query without a request key). */
export function countsStatement(sql: Sql, groupBy: readonly Dimension[], filter: StatisticsFilter, at: Date) {
  const year = at.getUTCFullYear();
  const column = (d: Dimension) =>
    ({
      province: sql`nullif(province, '')`,
      sex: sql`nullif(sex, '')`,
      insuranceStatus: sql`nullif(insurance_status, '')`,
      ageBand: sql`case when birth_year = 0 then null
        when ${year}::int - birth_year < 18 then '0-17' when ${year}::int - birth_year < 25 then '18-24'
        when ${year}::int - birth_year < 35 then '25-34' when ${year}::int - birth_year < 45 then '35-44'
        when ${year}::int - birth_year < 55 then '45-54' when ${year}::int - birth_year < 65 then '55-64' else '65+' end`,
    })[d];
  const select = groupBy.map((d, i) => sql`${column(d)} as ${sql(`d${i}`)}`).reduce((acc, f) => sql`${acc}, ${f}`, sql`sum(n)::bigint as count`);
  const conditions = [sql`n > 0`];
  if (filter.province !== undefined) conditions.push(sql`province = ${filter.province}`);
  if (filter.sex !== undefined) conditions.push(sql`sex = ${filter.sex}`);
  if (filter.insuranceStatus !== undefined) conditions.push(sql`insurance_status = ${filter.insuranceStatus}`);
  if (filter.ageBand !== undefined) {
    const years = birthYearsOf(filter.ageBand, at);
    conditions.push(sql`birth_year between ${years.from} and ${years.to}`);
  }
  const where = conditions.reduce((acc, c) => sql`${acc} and ${c}`);
  const groups = groupBy.length > 0 ? sql`group by ${sql.unsafe(groupBy.map((_, i) => String(i + 2)).join(', '))}` : sql``;
  return sql`select ${select} from statistics_cube where ${where} ${groups} having sum(n) > 0`;
}

export function cellsOf(rows: readonly CountRow[], groupBy: readonly Dimension[]): Cell[] {
  return rows.map((r) => {
    const cell: Cell = { count: Number(r.count) };
    groupBy.forEach((d, i) => {
      cell[d] = (r[`d${i}`] as string | null) ?? null;
    });
    return cell;
  });
}

/**
 * Two profile changes at once can move citizens between the same two cube cells in opposite
 * directions, and Postgres then aborts one of them as a deadlock; the change is simply made again.
 */
async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || (err as { code?: string }).code !== '40P01') throw err;
      await new Promise((r) => setTimeout(r, 5 * i));
    }
  }
}
