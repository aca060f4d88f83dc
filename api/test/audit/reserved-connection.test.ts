import type postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { reserveWithin } from '../../src/audit/reserved-connection.js';
import { isDatabaseUnavailable } from '../../src/infra/database-errors.js';

/**
 * The bound on a reserve: postgres.js 3.4.9 can strand one for good (porsager/postgres#1195, seen
 * when Postgres closes the connection it waited for). Driven here by a pool that answers the reserve
 * never, or late, since the stranding itself depends on the driver's timing.
 */
describe('reserving a connection for a batch', () => {
  it('gives up after the bound with an error that answers 503', async () => {
    const stranded = { reserve: () => new Promise<postgres.ReservedSql>(() => {}) };
    const err = await reserveWithin(stranded, 30).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).toBe('CONNECT_TIMEOUT');
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it('gives a connection that came after it gave up straight back to the pool', async () => {
    let released = 0;
    let arrive: (tx: postgres.ReservedSql) => void = () => {};
    const slow = { reserve: () => new Promise<postgres.ReservedSql>((r) => (arrive = r)) };
    await expect(reserveWithin(slow, 10)).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    arrive({ release: () => void (released += 1) } as unknown as postgres.ReservedSql);
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(1);
  });

  it('hands over a connection that comes in time, and passes a refusal on', async () => {
    const tx = { release: () => {} } as unknown as postgres.ReservedSql;
    await expect(reserveWithin({ reserve: () => Promise.resolve(tx) }, 1_000)).resolves.toBe(tx);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(reserveWithin({ reserve: () => Promise.reject(refused) }, 1_000)).rejects.toBe(refused);
  });
});
