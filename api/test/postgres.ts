import { createServer } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { connectDatabase, migrate, type Sql } from '../src/infra/database.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../src/infra/embedded-postgres.js';

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * Only Postgres — embedded, migrated, on a free port, in a fresh directory — for the tests of the
 * Postgres adapters: no ledger, no API. The database is shared by the file's tests, which use
 * fresh ids so they do not see each other.
 */
export function usePostgres(): { readonly sql: Sql; readonly url: string } {
  let pg: RunningPostgres | undefined;
  let sql: Sql | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-pg-'));
    await chmod(dir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
    pg = await startEmbeddedPostgres(join(dir, 'postgres'), await freePort());
    sql = connectDatabase(pg.url);
    await migrate(sql);
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get sql(): Sql {
      if (!sql) throw new Error('Postgres is not started yet (use it inside a test or a hook)');
      return sql;
    },
    /** For a test that needs a pool of its own beside the shared one. */
    get url(): string {
      if (!pg) throw new Error('Postgres is not started yet (use it inside a test or a hook)');
      return pg.url;
    },
  };
}
