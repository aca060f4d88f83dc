// The whole stack as `npm start` runs it (API, embedded Postgres, devnet), in its own process on
// free ports in a fresh directory, for the benchmarks that measure it end to end.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const freePort = () => new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

const children = [];
process.once('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** Spawns a helper process that is killed if the benchmark dies first. */
export function spawnChild(...args) {
  const child = spawn(...args);
  children.push(child);
  return child;
}

/** Starts the stack and waits until `/ready`; `stop()` ends it and removes its data. */
export async function startStackProcess(name) {
  const dataDir = await mkdtemp(join(tmpdir(), `cv-bench-${name}-`));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user, which must reach its data directory
  const apiPort = await freePort();
  const pgPort = await freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const env = { ...process.env, CV_DATA_DIR: dataDir, PORT: String(apiPort), CV_EMBEDDED_PG_PORT: String(pgPort), CV_DEVNET_PORT: String(await freePort()), CV_PUBLIC_URL: base, LOG_LEVEL: 'warn' };
  const nodeArgs = process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ') : [];
  const api = spawnChild(process.execPath, [...nodeArgs, resolve(import.meta.dirname, '../api/dist/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error('the API did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pgPort,
    async stop() {
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
