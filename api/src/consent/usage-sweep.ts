import { usagePeriod } from '@citizen-vault/chaincode/rules';
import type { Sql } from '../infra/database.js';

/** Rows deleted per statement, so one round never holds many locks or writes one huge WAL record. */
const CHUNK = 5_000;

/**
 * Deletes the use counters of usage periods that are over: a consent read daily gains a row a day
 * in `consent_usage` (about 44 KB a year), and only the current period's row is ever read — the
 * access events keep every use. A period is kept one period past its end (yesterday, last month),
 * so a read that began just before midnight in Vietnam still finds its row. ONCE consents' single
 * row (`once`) is never deleted: it is what stops a second use. Answers the rows deleted.
 */
export async function pruneEndedUsage(sql: Sql, now: Date): Promise<number> {
  const dayBefore = new Date(now.getTime() - 86_400_000);
  const keepDay = usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, dayBefore.toISOString());
  const thisMonth = usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'MONTH' }, now.toISOString());
  const [year, month] = thisMonth.split('-').map(Number) as [number, number];
  const keepMonth = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
  // One pass over the primary key in chunks (keyset), so each statement touches at most CHUNK rows
  // and the whole table is read once, however many counters there are.
  let deleted = 0;
  let after: { consent_id: string; period: string } = { consent_id: '00000000-0000-0000-0000-000000000000', period: '' };
  for (;;) {
    const [last] = await sql<{ consent_id: string; period: string }[]>`
      select consent_id, period from (
        select consent_id, period from consent_usage where (consent_id, period) > (${after.consent_id}::uuid, ${after.period})
        order by consent_id, period limit ${CHUNK}) c
      order by consent_id desc, period desc limit 1`;
    if (!last) return deleted;
    const rows = await sql`
      delete from consent_usage
      where (consent_id, period) > (${after.consent_id}::uuid, ${after.period}) and (consent_id, period) <= (${last.consent_id}::uuid, ${last.period})
        and ((length(period) = 10 and period < ${keepDay}) or (length(period) = 7 and period < ${keepMonth}))`;
    deleted += rows.count;
    after = last;
  }
}
