import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, reconnectDelaySeconds, type Sql } from '../../src/infra/database.js';
import { freePort } from '../support/free-port.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/infra/embedded-postgres.js';

/** The failed connections in a row the driver counts for the pool (it grows the delay before each new attempt with them). */
const failures = (sql: Sql): number => (sql.options as unknown as { shared: { retries: number } }).shared.retries;

describe('the pool after a Postgres outage', () => {
  let dir: string | undefined;
  let pg: RunningPostgres | undefined;
  let sql: Sql | undefined;

  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('waits at most about a second between attempts, however many failed', () => {
    for (let n = 0; n <= 40; n++) {
      const delay = reconnectDelaySeconds(n);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
  });

  it('answers again as soon as Postgres is back, not after the driver’s own back-off of 10 s and more', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-reconnect-'));
    await chmod(dir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
    const port = await freePort();
    pg = await startEmbeddedPostgres(join(dir, 'pg'), port, { sharedBuffersMb: 16 });
    sql = connectDatabase(pg.url, 4, pg.socketPath);
    await Promise.all([1, 2, 3, 4].map(() => sql!`select pg_sleep(0.05)`));

    await pg.stop();
    pg = undefined;
    // Queries during the outage fail (503 in the API), and each failed connection counts.
    while (failures(sql) < 9) {
      const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => sql!`select 1`));
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    }
    // With the driver's default, the next attempt after 9 failures waits 10 to 20 s.
    pg = await startEmbeddedPostgres(join(dir, 'pg'), port, { sharedBuffersMb: 16 });
    const answers = Promise.all([1, 2, 3, 4, 5, 6].map(async () => (await sql!<{ one: number }[]>`select 1 as one`)[0]!.one));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('the pool did not answer within 5 s of Postgres being back')), 5_000)),
    );
    try {
      expect(await Promise.race([answers, late])).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      clearTimeout(timer);
    }
  }, 120_000);
});
