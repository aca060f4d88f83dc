import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, migrate, type Sql } from '../../src/infra/database.js';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.js';

export interface MigratedPostgres {
  sql: Sql;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * Only Postgres — embedded, on a free port, in a fresh directory, with the API's migrations — for
 * the contract tests of the Postgres adapters: no devnet, no API.
 */
export async function startMigratedPostgres(): Promise<MigratedPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'cv-pg-'));
  await chmod(dir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
  const pg = await startEmbeddedPostgres(join(dir, 'pg'), await freePort());
  const sql = connectDatabase(pg.url);
  await migrate(sql);
  return {
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
