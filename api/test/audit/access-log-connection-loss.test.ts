import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAccessLog, type PgAccessLog } from '../../src/audit/index.js';
import { connectDatabase, type Sql } from '../../src/infra/database.js';
import { usePostgres } from '../postgres.js';
import { insertActiveConsents } from '../support/active-consents.js';

/**
 * A batch's connection dropped by Postgres (killed, restarted, or its backend terminated) while the
 * batch holds it: the access log must answer that batch's appends and go on appending on fresh
 * connections, not hang nor hand the dead connection back to the pool. The log's own pool is
 * configured as the API's; the test watches and terminates backends through another.
 */
describe('the access log when Postgres drops the connection of a batch in flight', () => {
  const pg = usePostgres();
  let logSql: Sql;
  beforeAll(() => {
    logSql = connectDatabase(pg.url);
  });
  afterAll(async () => {
    await logSql.end({ timeout: 5 });
  });

  it('answers the batch whose connection died while it waited for the log, and appends again at once', async () => {
    const log = pgAccessLog(logSql);
    await within(5_000, log.append('licence_use', { n: 'warm-up' }), 'the first append');
    // The batch below sends its move, then its leaves in a shape this connection has not described
    // yet: the statements after them wait in the driver until that describe answers, which it
    // never does once the backend is gone.
    const holder = await pg.sql.reserve();
    let lost: Promise<PromiseSettledResult<unknown>[]>;
    try {
      await holder`begin`;
      await holder`select 1 from log_state for update`;
      lost = Promise.allSettled([1, 2, 3].map((i) => log.append('licence_use', { n: `lost-${i}` })));
      await terminateBackendWaitingFor('Lock', 'advance_log');
    } finally {
      await holder`rollback`;
      holder.release();
    }
    const outcomes = await within(5_000, lost, 'the answers to the batch whose connection died');
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);

    await expectAppendsGoOn(log);
  });

  it('answers the read whose connection died while its guard waited, and neither the log nor the pool meets that connection again', async () => {
    const c = await consent(pg.sql);
    const log = pgAccessLog(logSql);
    await within(5_000, log.append('licence_use', { n: 'warm-up' }), 'the first append');
    const holder = await pg.sql.reserve();
    let lost: Promise<unknown>;
    try {
      await holder`begin`;
      await holder`select 1 from consents where id = ${c.consentId} for update`;
      lost = log.recordAccess(read(c), { period: '2026-06-01', limit: 1_000 }).then(
        () => 'recorded',
        () => 'refused',
      );
      await terminateBackendWaitingFor('Lock', 'take_uses');
    } finally {
      await holder`rollback`;
      holder.release();
    }
    expect(await within(5_000, lost, 'the answer to the read whose connection died')).toBe('refused');

    await expectAppendsGoOn(log, c);
    // The pool as a whole: more queries at once than it has connections, none of them handed a dead
    // one. (The first statement on a connection the driver opens again may still be answered with the
    // FATAL error that ended it: postgres.js keeps that error across the reconnection. Once only.)
    const burst = () => within(10_000, Promise.allSettled(Array.from({ length: 60 }, () => logSql`select 1 as one`)), 'the pool to answer');
    await burst();
    const answers = await burst();
    expect(answers.filter((a) => a.status === 'rejected').map((a) => String((a as PromiseRejectedResult).reason))).toEqual([]);
  });

  it("goes on appending when the connection died with the batch's move still held back in the driver", async () => {
    // A pool of its own, so every statement of the batch is new to its connection and is
    // described before it runs: with the leaves' insert stuck on a lock, the ledger tie's describe
    // waits behind it, and the move behind that, unsent, in the driver. Once the backend is gone,
    // that move is never answered; the batches after it must not wait for it.
    const fresh = connectDatabase(pg.url, 4);
    try {
      const log = pgAccessLog(fresh);
      const [state] = await pg.sql<{ size: string }[]>`select size from log_state`;
      const holder = await pg.sql.reserve();
      let lost: Promise<PromiseSettledResult<unknown>[]>;
      try {
        await holder`begin`;
        // The position the batch will take, written and not committed: its insert waits on it.
        await holder`insert into log_leaves (leaf_index, kind, entry, leaf_hash) values (${state!.size}, 'licence_use', '{}', ${Buffer.alloc(32)})`;
        lost = Promise.allSettled([log.append('consent_decision', { n: 'held-back' }, `tx-${randomUUID()}`)]);
        await terminateBackendWaitingFor('Lock', 'insert into log_leaves');
      } finally {
        await holder`rollback`;
        holder.release();
      }
      const outcomes = await within(5_000, lost, 'the answer to the batch whose move was held back');
      expect(outcomes.map((o) => o.status)).toEqual(['rejected']);

      await expectAppendsGoOn(log);
    } finally {
      await fresh.end({ timeout: 1 });
    }
  });

  /** Finds the one backend waiting (on `event`) in a statement mentioning `statement`, and terminates it. */
  async function terminateBackendWaitingFor(event: string, statement: string): Promise<void> {
    const until = Date.now() + 5_000;
    for (;;) {
      const waiting = await pg.sql<{ pid: number }[]>`
        select pid from pg_stat_activity where wait_event_type = ${event} and query like ${`%${statement}%`} and pid <> pg_backend_pid()`;
      if (waiting.length === 1) {
        await pg.sql`select pg_terminate_backend(${waiting[0]!.pid})`;
        return;
      }
      if (Date.now() > until) throw new Error(`no backend waited in ${statement}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Sequential appends, each answered at once with the next leaf; then several batches in flight at
   * once (with reads, when a consent is given); then the log's row, leaves and events agree.
   */
  async function expectAppendsGoOn(log: PgAccessLog, c?: Awaited<ReturnType<typeof consent>>): Promise<void> {
    let previous: number | undefined;
    for (let i = 0; i < 12; i++) {
      const { leafIndex } = await within(5_000, log.append('licence_use', { n: `after-${i}` }), `append ${i} after the connection died`);
      if (previous !== undefined) expect(leafIndex).toBe(previous + 1);
      previous = leafIndex;
      if (c) {
        const recorded = await within(5_000, log.recordAccess(read(c), { period: '2026-06-01', limit: 1_000 }), `read ${i} after the connection died`);
        expect(recorded).toMatchObject({ outcome: 'GRANTED', leafIndex: previous + 1 });
        previous = recorded.leafIndex;
      }
    }
    const burst: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      burst.push(c && i % 2 === 0 ? log.recordAccess(read(c), { period: '2026-06-01', limit: 1_000 }) : log.append('licence_use', { n: `burst-${i}` }));
      if (i % 5 === 4) await new Promise((r) => setImmediate(r));
    }
    const settled = await within(10_000, Promise.allSettled(burst), 'a burst of appends');
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);

    const [state] = await pg.sql<{ size: string; last_leaf: Buffer }[]>`select size, last_leaf from log_state`;
    const [leaves] = await pg.sql<{ n: string; last: Buffer }[]>`
      select count(*) as n, (select leaf_hash from log_leaves order by leaf_index desc limit 1) as last from log_leaves`;
    expect(Number(state!.size)).toBe(Number(leaves!.n));
    expect(state!.last_leaf).toEqual(leaves!.last);
    if (c) {
      const [uses] = await pg.sql<{ uses: number; granted: number }[]>`
        select (select uses from consent_usage where consent_id = ${c.consentId}) as uses,
               (select count(*)::int from access_events where consent_id = ${c.consentId} and outcome = 'GRANTED' and leaf_index is not null) as granted`;
      expect(uses!.uses).toBe(uses!.granted); // the read refused at the connection's death took no use
    }
  }
});

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms))),
  ]);
}

/** An organisation, a citizen and one ACTIVE periodic consent of that citizen for it. */
async function consent(sql: Sql) {
  const { orgId, subjectId, ids } = await insertActiveConsents(sql, 1);
  return { orgId, subjectId, consentId: ids[0]! };
}

function read(c: { orgId: string; subjectId: string; consentId: string }) {
  return {
    id: randomUUID(),
    consentId: c.consentId,
    subjectId: c.subjectId,
    consumerOrgId: c.orgId,
    purpose: 'credit_scoring',
    fields: ['residence.province'],
    outcome: 'GRANTED' as const,
    usagePeriod: '2026-06-01',
    at: new Date(),
  };
}
