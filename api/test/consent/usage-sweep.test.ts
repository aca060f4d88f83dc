import { describe, expect, it } from 'vitest';
import { pruneEndedUsage } from '../../src/consent/index.js';
import type { Sql } from '../../src/infra/database.js';
import { usePostgres } from '../postgres.js';
import { insertActiveConsents } from '../support/active-consents.js';

/** A citizen's ACTIVE consent for a new organisation; answers its id. */
const consent = async (sql: Sql): Promise<string> => (await insertActiveConsents(sql, 1, { mode: 'PERIODIC', limit: 10, per: 'DAY' })).ids[0]!;

const periodsOf = async (sql: Sql, id: string) =>
  (await sql<{ period: string }[]>`select period from consent_usage where consent_id = ${id} order by period`).map((r) => r.period);

describe('the usage sweep', () => {
  const pg = usePostgres();

  it("deletes the counters of periods that are over, keeping the current and the previous period's, and a ONCE consent's", async () => {
    const { sql } = pg;
    const [daily, monthly, once] = [await consent(sql), await consent(sql), await consent(sql)];
    // 2026-03-01 00:30 in Vietnam (UTC+7) is 2026-02-28 17:30 UTC: the Vietnamese day and month count.
    const now = new Date('2026-02-28T17:30:00Z');
    for (const period of ['2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01'])
      await sql`insert into consent_usage (consent_id, period, uses) values (${daily}, ${period}, 1)`;
    for (const period of ['2025-12', '2026-01', '2026-02', '2026-03'])
      await sql`insert into consent_usage (consent_id, period, uses) values (${monthly}, ${period}, 1)`;
    await sql`insert into consent_usage (consent_id, period, uses) values (${once}, 'once', 1)`;

    expect(await pruneEndedUsage(sql, now)).toBe(4);
    expect(await periodsOf(sql, daily)).toEqual(['2026-02-28', '2026-03-01']);
    expect(await periodsOf(sql, monthly)).toEqual(['2026-02', '2026-03']);
    expect(await periodsOf(sql, once)).toEqual(['once']);
    // In January the month kept before it is last December.
    expect(await pruneEndedUsage(sql, new Date('2026-01-15T12:00:00Z'))).toBe(0);
  });

  it('goes over more counters than one chunk holds, each once', async () => {
    const { sql } = pg;
    await sql`delete from consent_usage`; // the other test's
    const ids = [await consent(sql), await consent(sql)];
    // 6,000 ended days on each consent, and today's.
    for (const id of ids) {
      await sql`insert into consent_usage (consent_id, period, uses)
                select ${id}, to_char(date '2010-01-01' + g, 'YYYY-MM-DD'), 1 from generate_series(0, 5999) g`;
      await sql`insert into consent_usage (consent_id, period, uses) values (${id}, '2036-06-01', 1)`;
    }
    expect(await pruneEndedUsage(sql, new Date('2036-06-01T05:00:00Z'))).toBe(12_000);
    for (const id of ids) expect(await periodsOf(sql, id)).toEqual(['2036-06-01']);
  });
});
