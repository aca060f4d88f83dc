import postgres from 'postgres';
import type { Sql } from '../infra/database.js';

/*
 * A batch of the access log runs on a connection reserved from postgres.js (3.4.9). When Postgres
 * drops that connection under the batch (killed, restarted, its backend terminated), the driver
 * takes the connection back by itself and rejects the statements it had sent — but not those it was
 * still holding back on the reserved connection (behind one whose parameters it had to describe
 * first): they never settle. And `release()` afterwards puts the dead connection among the open
 * ones, where it fails every statement it is handed, reserved or not. So a batch stops waiting at
 * the first sign the connection is gone, and then neither rolls back nor releases it.
 */

// postgres.js's own connection errors, and the socket's.
const DRIVER = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);
// ENOENT: the embedded server's Unix-domain socket is gone (it stopped, or is restarting).
const SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);

/** Did this failure end the connection itself (not merely the statement or the transaction)? */
export function connectionLost(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) {
    // A FATAL error (57P01 when the backend is terminated, 57P02 at a crash) ends the session; so
    // does any connection exception (class 08).
    const { severity, code } = err;
    return severity === 'FATAL' || severity === 'PANIC' || code.startsWith('08');
  }
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (DRIVER.has(code) || SOCKET.has(code));
}

/**
 * Every statement's outcome, as `Promise.allSettled` gives them — or, as soon as one of them fails
 * because the connection is gone, that failure: the statements still held back would never settle.
 */
export function settledUnlessLost<T>(statements: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  return new Promise((resolve, reject) => {
    for (const s of statements) s.catch((err: unknown) => (connectionLost(err) ? reject(err) : undefined));
    void Promise.allSettled(statements).then(resolve);
  });
}

/**
 * A connection reserved from the pool, or a `CONNECT_TIMEOUT` error (the database unavailable, 503)
 * once `ms` have passed: postgres.js 3.4.9 strands a reserve that waits for a connection Postgres
 * closes meanwhile (porsager/postgres#1195): it never settles, and a batch waiting for it would stop
 * the log. A connection that arrives after the wait gave up goes straight back to the pool.
 */
export async function reserveWithin(sql: Pick<Sql, 'reserve'>, ms: number): Promise<postgres.ReservedSql> {
  const reserving = sql.reserve();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no database connection within ${ms} ms`), { code: 'CONNECT_TIMEOUT' })), ms);
  });
  try {
    return await Promise.race([reserving, late]);
  } catch (err) {
    reserving.then(
      (tx) => tx.release(),
      () => undefined,
    );
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
