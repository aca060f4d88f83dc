import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pgAccessLog, type AccessEvent, type PgAccessLog } from '../../src/audit/index.js';
import { Frontier } from '../../src/audit/merkle.js';
import type { Sql } from '../../src/infra/database.js';
import { usePostgres } from '../postgres.js';
import { insertActiveConsents } from '../support/active-consents.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An organisation, a citizen and `count` ACTIVE consents of that citizen for it. */
const consents = (sql: Sql, count: number, accessMode: Record<string, unknown>) => insertActiveConsents(sql, count, accessMode);

function read(c: { orgId: string; subjectId: string }, consentId: string, purpose = 'credit_scoring'): AccessEvent {
  return {
    id: randomUUID(),
    consentId,
    subjectId: c.subjectId,
    consumerOrgId: c.orgId,
    purpose,
    fields: ['residence.province'],
    outcome: 'GRANTED',
    usagePeriod: '2026-06-01',
    at: new Date(),
  };
}

/** Fires `count` guarded reads over the consents in small groups across event-loop turns, so several batches are in flight at once. */
async function race(
  logs: PgAccessLog[],
  c: { orgId: string; subjectId: string; ids: string[] },
  count: number,
  limit: number,
  purposeOf = (_i: number) => 'credit_scoring',
) {
  const attempts: { event: AccessEvent; result: Promise<unknown> }[] = [];
  for (let i = 0; i < count; i++) {
    const event = read(c, c.ids[i % c.ids.length]!, purposeOf(i));
    attempts.push({ event, result: logs[i % logs.length]!.recordAccess(event, { period: '2026-06-01', limit }) });
    if (i % 7 === 6) await turn();
  }
  const settled = await Promise.allSettled(attempts.map((a) => a.result));
  return attempts.map((a, i) => ({ event: a.event, settled: settled[i]! }));
}

/** Every leaf from 0 to the log's size, the size and last leaf as recorded, and every stored subtree as a fresh recomputation makes it. */
async function expectDenseAndRight(sql: Sql) {
  const [state] = await sql<{ size: string; last_leaf: Buffer | null }[]>`select size, last_leaf from log_state`;
  const leaves = await sql<{ leaf_index: string; leaf_hash: Buffer }[]>`select leaf_index, leaf_hash from log_leaves order by leaf_index`;
  expect(leaves.map((l) => Number(l.leaf_index))).toEqual(leaves.map((_l, i) => i));
  expect(Number(state!.size)).toBe(leaves.length);
  expect(state!.last_leaf).toEqual(leaves.at(-1)!.leaf_hash);
  const tree = Frontier.from(0, []);
  const expected = new Map<string, string>();
  for (const l of leaves) for (const n of tree.append(l.leaf_hash)) expected.set(`${n.level}/${n.index}`, n.hash.toString('hex'));
  const stored = await sql<{ level: number; idx: string; hash: Buffer }[]>`select level::int as level, idx, hash from log_nodes`;
  expect(new Map(stored.map((n) => [`${n.level}/${n.idx}`, n.hash.toString('hex')]))).toEqual(expected);
}

describe('the access log in Postgres, with several batches in flight', () => {
  const pg = usePostgres();

  it('lets a batch sent while its predecessor commits wait for it and follow it, and refuses one whose predecessor failed', async () => {
    const [state] = await pg.sql<{ size: string; last_leaf: Buffer | null }[]>`select size, last_leaf from log_state`;
    const start = Number(state!.size);
    const [a, b] = [await pg.sql.reserve(), await pg.sql.reserve()];
    try {
      await a`begin`;
      await a`select advance_log(${start}, 2, ${state!.last_leaf}, ${Buffer.from('aa', 'hex')})`;
      await b`begin`;
      const follows = b`select advance_log(${start + 2}, 3, ${Buffer.from('aa', 'hex')}, ${Buffer.from('bb', 'hex')})`.then(
        () => 'moved',
        (e: { code?: string }) => e.code,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      await a`commit`;
      expect(await follows).toBe('moved');
      await b`rollback`;
      // Its predecessor rolled back: the log is not where the batch was built, whatever its size.
      await b`begin`;
      await expect(b`select advance_log(${start + 2}, 1, ${Buffer.from('ab', 'hex')}, ${Buffer.from('cc', 'hex')})`).rejects.toMatchObject({ code: '40001' });
      await b`rollback`;
    } finally {
      a.release();
      b.release();
    }
    // Put the row back as the log really is, for the tests that follow.
    await pg.sql`update log_state set size = ${start}, last_leaf = ${state!.last_leaf}`;
  });

  it('keeps the use counter exact when batches from two instances race for the same allowances', async () => {
    const c = await consents(pg.sql, 5, { mode: 'PERIODIC', limit: 7, per: 'DAY' });
    const results = await race([pgAccessLog(pg.sql), pgAccessLog(pg.sql)], c, 120, 7);
    for (const id of c.ids) {
      const mine = results.filter((r) => r.event.consentId === id);
      const granted = mine.filter((r) => r.settled.status === 'fulfilled' && (r.settled.value as { outcome: string }).outcome === 'GRANTED');
      expect(granted).toHaveLength(7);
      for (const r of mine)
        if (!granted.includes(r)) expect(r.settled).toMatchObject({ status: 'fulfilled', value: { outcome: 'DENIED', reason: 'frequency_exceeded' } });
      const [usage] = await pg.sql<{ uses: number }[]>`select uses from consent_usage where consent_id = ${id} and period = '2026-06-01'`;
      expect(usage!.uses).toBe(7);
      const [events] = await pg.sql<{ granted: number; all: number; leaves: number }[]>`
        select count(*) filter (where outcome = 'GRANTED')::int as granted, count(*)::int as all, count(leaf_index)::int as leaves
        from access_events where consent_id = ${id}`;
      expect(events).toEqual({ granted: 7, all: 24, leaves: 24 });
    }
    await expectDenseAndRight(pg.sql);
  });

  it('takes nothing with a batch that fails — no use, no event, no leaf — and the batches built on it meanwhile go again', async () => {
    const poisoned = await consents(pg.sql, 1, { mode: 'PERIODIC', limit: 1000, per: 'DAY' });
    const healthy = await consents(pg.sql, 2, { mode: 'PERIODIC', limit: 1000, per: 'DAY' });
    // A batch holding a "poison" read fails inside its transaction, slowly, after its uses were taken
    // and the log's row was moved: the batches sent meanwhile are built on the edge it would have left.
    await pg.sql`create or replace function refuse_poison() returns trigger language plpgsql as $$
                 begin if new.purpose = 'poison' then perform pg_sleep(0.3); raise exception 'poisoned batch'; end if; return new; end $$`;
    await pg.sql`create trigger refuse_poison before insert on access_events for each row execute function refuse_poison()`;
    const log = pgAccessLog(pg.sql);
    try {
      const first = [read(poisoned, poisoned.ids[0]!, 'poison'), read(poisoned, poisoned.ids[0]!)].map((event) => ({
        event,
        result: log.recordAccess(event, { period: '2026-06-01', limit: 1000 }),
      }));
      const firstOutcomes = Promise.allSettled(first.map((f) => f.result));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const later = await race([log], healthy, 60, 1000);
      const outcomes = await firstOutcomes;
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      // Every later read went again and is answered, durable with its leaf and its use.
      expect(later.map((r) => r.settled.status)).toEqual(later.map(() => 'fulfilled'));
      const stored = new Set((await pg.sql<{ id: string }[]>`select id from access_events where leaf_index is not null`).map((r) => r.id));
      expect(later.every((r) => stored.has(r.event.id))).toBe(true);
      expect(first.some((f) => stored.has(f.event.id))).toBe(false);
      const uses = async (ids: string[]) =>
        (await pg.sql<{ uses: number }[]>`select coalesce(sum(uses), 0)::int as uses from consent_usage where consent_id = any(${ids})`)[0]!.uses;
      expect(await uses(poisoned.ids)).toBe(0);
      expect(await uses(healthy.ids)).toBe(60);
      await expectDenseAndRight(pg.sql);
    } finally {
      await pg.sql`drop trigger refuse_poison on access_events`;
    }
  });

  it('answers a read only once its COMMIT came back as one: a transaction that fails at commit answers nothing', async () => {
    const c = await consents(pg.sql, 1, { mode: 'ONCE' });
    // Checked only at COMMIT: every statement of the batch succeeds, the commit does not.
    await pg.sql`create or replace function refuse_at_commit() returns trigger language plpgsql as $$
                 begin raise exception 'refused at commit'; end $$`;
    await pg.sql`create constraint trigger refuse_at_commit after insert on access_events deferrable initially deferred
                 for each row when (new.consent_id = ${pg.sql.unsafe(`'${c.ids[0]}'`)}::uuid) execute function refuse_at_commit()`;
    const log = pgAccessLog(pg.sql);
    try {
      const first = read(c, c.ids[0]!);
      await expect(log.recordAccess(first, { period: 'once', limit: 1 })).rejects.toThrow(/refused at commit/);
      expect(await pg.sql`select 1 from access_events where id = ${first.id}`).toHaveLength(0);
      expect(await pg.sql`select 1 from consent_usage where consent_id = ${c.ids[0]!}`).toHaveLength(0);
    } finally {
      await pg.sql`drop trigger refuse_at_commit on access_events`;
    }
    // The ONCE consent's only use is still there, and the log goes on from where it was.
    await expect(log.recordAccess(read(c, c.ids[0]!), { period: 'once', limit: 1 })).resolves.toMatchObject({ outcome: 'GRANTED' });
    await expectDenseAndRight(pg.sql);
  });
});
