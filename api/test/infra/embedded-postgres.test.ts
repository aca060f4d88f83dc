import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Sql } from '../../src/infra/database.js';
import { isDatabaseUnavailable } from '../../src/infra/database-errors.js';
import { freePort } from '../support/free-port.js';
import { defaultSharedBuffersMb, startEmbeddedPostgres, type RunningPostgres } from '../../src/infra/embedded-postgres.js';

describe('the embedded Postgres', () => {
  let dir: string;
  let pg: RunningPostgres;
  let overSocket: Sql;
  let overTcp: Sql;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-epg-'));
    await chmod(dir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
    pg = await startEmbeddedPostgres(join(dir, 'pg'), await freePort(), { sharedBuffersMb: 192 });
    overSocket = connectDatabase(pg.url, 2, pg.socketPath);
    overTcp = connectDatabase(pg.url, 2);
  }, 120_000);

  afterAll(async () => {
    await overSocket?.end({ timeout: 5 });
    await overTcp?.end({ timeout: 5 });
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs with the shared buffers it was given', async () => {
    const [row] = await overTcp<{ shared_buffers: string }[]>`show shared_buffers`;
    expect(row!.shared_buffers).toBe('192MB');
  });

  it("serves the API's pool on a Unix-domain socket in its data directory, and tools on TCP", async () => {
    expect(pg.socketPath).toBe(join(dir, 'pg', `.s.PGSQL.${new URL(pg.url).port}`));
    // inet_client_addr() is null for a Unix-domain connection, the peer's address over TCP.
    const [viaSocket] = await overSocket<{ addr: string | null }[]>`select inet_client_addr()::text as addr`;
    const [viaTcp] = await overTcp<{ addr: string | null }[]>`select inet_client_addr()::text as addr`;
    expect(viaSocket!.addr).toBeNull();
    expect(viaTcp!.addr).toBe('127.0.0.1/32');
  });

  it('uses TCP alone when the data directory is too deep for a socket path', async () => {
    const deep = join(dir, 'd'.repeat(60), 'e'.repeat(40), 'pg');
    const port = await freePort();
    const other = await startEmbeddedPostgres(deep, port, { sharedBuffersMb: 16 });
    try {
      expect(other.socketPath).toBeUndefined();
      const sql = connectDatabase(other.url, 1, other.socketPath);
      const [row] = await sql<{ addr: string | null }[]>`select inet_client_addr()::text as addr`;
      expect(row!.addr).toBe('127.0.0.1/32');
      await sql.end({ timeout: 5 });
    } finally {
      await other.stop();
    }
  }, 120_000);

  it('answers a missing socket as the database being unavailable, not as a failure of the request', async () => {
    const gone = connectDatabase(pg.url, 1, join(dir, 'no-such-dir', '.s.PGSQL.1'));
    const err = await gone`select 1`.then(
      () => undefined,
      (e: unknown) => e,
    );
    await gone.end({ timeout: 1 });
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT', syscall: 'open' }))).toBe(false);
  });

  it('sizes shared buffers at a quarter of memory, within 128 MB and 4 GB', () => {
    expect(defaultSharedBuffersMb(256 * 2 ** 20)).toBe(128);
    expect(defaultSharedBuffersMb(8 * 2 ** 30)).toBe(2048);
    expect(defaultSharedBuffersMb(64 * 2 ** 30)).toBe(4096);
  });
});
