import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

export type Sql = postgres.Sql;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * The pool, with every wait bounded so an outage is answered quickly (503) instead of hanging for the
 * driver's defaults: a connection attempt gives up after 3 s, a statement after 20 s, an idle
 * connection is dropped after 60 s, TCP keep-alive notices a vanished server, and a connection that
 * failed tries again within a second (see `reconnectDelaySeconds`). `max` connections
 * (20 unless the configuration says otherwise; see `CV_DATABASE_POOL_MAX`). `socketPath`, a
 * Unix-domain socket, replaces the URL's host and port.
 */
export function connectDatabase(url: string, max = 20, socketPath?: string): Sql {
  return postgres(url, {
    max,
    // The embedded server's Unix-domain socket when there is one (the URL still names the user,
    // password and database); TCP otherwise.
    ...(socketPath ? { path: socketPath } : {}),
    onnotice: () => {},
    transform: { undefined: null },
    connect_timeout: 3,
    backoff: reconnectDelaySeconds,
    idle_timeout: 60,
    keep_alive: 10,
    connection: { statement_timeout: 20_000, idle_in_transaction_session_timeout: 30_000 },
  });
}

/**
 * How long a connection that closed waits before it connects again, after `failures` failed
 * connections in a row (the driver counts them for the whole pool, and only a success resets the
 * count): 50 ms doubling up to one second, with jitter. The driver's own delay grows as 3^failures
 * up to 20 s, and a query handed to a closed connection waits that whole delay: after a Postgres
 * restart of a few seconds, requests waited 10 to 15 s for a server that was already back.
 */
export function reconnectDelaySeconds(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

/**
 * Applies `api/migrations/NNN_name.sql` in order, each once and in its own transaction, under an
 * advisory lock so several API instances starting together do not race.
 */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(7231000001)`;
    await tx`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`;
    const done = new Set((await tx<{ name: string }[]>`select name from schema_migrations`).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.unsafe(await readFile(MIGRATIONS_DIR + file, 'utf8'));
      await tx`insert into schema_migrations (name) values (${file})`;
      applied.push(file);
    }
  });
  return applied;
}
