import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pruneEndedUsage } from '../../src/consent/index.js';
import type { Sql } from '../../src/infra/database.js';
import { usePostgres } from '../postgres.js';

/** A citizen's ACTIVE consent for a new organisation; answers its id. */
async function consent(sql: Sql): Promise<string> {
  const orgId = randomUUID();
  const subjectId = randomUUID();
  const id = randomUUID();
  await sql`insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
            values (${orgId}, 'Bank', ${randomUUID()}, 'BankMSP', ${['consumer']}, ${sql.json({ keys: [] })}, 'VERIFIED')`;
  await sql`insert into subjects (id, national_id_index) values (${subjectId}, ${Buffer.from(randomUUID())})`;
  await sql`insert into consents (id, subject_id, consumer_org_id, purpose, requested_fields, granted_fields, access_mode, valid_from, valid_until,
                                  retention_days, onward_transfer, cross_border, justification, status, artefact, artefact_salt, artefact_hash,
                                  requested_at, updated_at)
            values (${id}, ${subjectId}, ${orgId}, 'credit_scoring', ${['residence.province']}, ${['residence.province']},
                    ${sql.json({ mode: 'PERIODIC', limit: 10, per: 'DAY' })}, now() - interval '1 day', now() + interval '1 day', 30, false, false,
                    'test', 'ACTIVE', ${sql.json({})}, ${Buffer.alloc(16)}, 'h', now(), now())`;
  return id;
}

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
