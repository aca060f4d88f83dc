// KEK rotation benchmark, in-process against an embedded Postgres with the API's own migrations and
// code: BENCH_KEK_SUBJECTS (default 100000) subjects whose data keys are wrapped under KEK version 1,
// rotated to version 2 in batches of 1000 and then to version 3 in batches of 5000 (the job as the
// CLI and the API run it: keyset pages, each batch rewrapped and written with compare-and-set in one
// transaction with its progress). Reports keys/s for each, beside the rewrap alone (no database).
// Run: npx tsc -b api && node bench/kek-rotation.js   (or BENCH_ONLY=kek-rotation.js npm run bench)
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedPostgres } from '../api/dist/infra/embedded-postgres.js';
import { connectDatabase, migrate } from '../api/dist/infra/database.js';
import { newDataKey } from '../api/dist/infra/aead.js';
import { newId } from '../api/dist/ids.js';
import { createKeyRotation, KekRing } from '../api/dist/vault/index.js';
import { round } from './stats.js';

const SUBJECTS = Number(process.env.BENCH_KEK_SUBJECTS ?? 100_000);
const log = (m) => console.error(`bench kek-rotation: ${m}`);
const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const keys = [undefined, randomBytes(32), randomBytes(32), randomBytes(32)];
const ring = new KekRing(new Map([1, 2, 3].map((v) => [v, keys[v]])), 3);

const dir = await mkdtemp(join(tmpdir(), 'cv-bench-kek-'));
await chmod(dir, 0o755);
const pg = await startEmbeddedPostgres(join(dir, 'postgres'), await freePort());
const sql = connectDatabase(pg.url);
try {
  await migrate(sql);
  log(`seeding ${SUBJECTS} subjects under version 1`);
  for (let done = 0; done < SUBJECTS; done += 5_000) {
    const rows = Array.from({ length: Math.min(5_000, SUBJECTS - done) }, () => {
      const id = newId();
      return { id, national_id_index: randomBytes(32), wrapped_key: ring.wrap(id, newDataKey(), 1).wrapped, kek_version: 1 };
    });
    await sql`insert into subjects ${sql(rows, 'id', 'national_id_index', 'wrapped_key', 'kek_version')}`;
  }
  await sql`vacuum analyze subjects`;

  const sample = await sql`select id, wrapped_key from subjects limit 20000`;
  let t = performance.now();
  for (const r of sample) ring.rewrap(r.id, r.wrapped_key, 1, 2);
  const rewrapOnly = round(sample.length / ((performance.now() - t) / 1000), 0);

  const runs = [];
  for (const [from, to, batchSize] of [
    [1, 2, 1_000],
    [2, 3, 5_000],
  ]) {
    const { service } = createKeyRotation(
      sql,
      new KekRing(
        new Map([
          [from, keys[from]],
          [to, keys[to]],
        ]),
        to,
      ),
      () => newId(),
      () => {},
    );
    t = performance.now();
    const started = await service.start('bench', from);
    const done = await service.run(started.id, { batchSize });
    const seconds = (performance.now() - t) / 1000;
    if (!done.finishedAt || done.rewrapped !== SUBJECTS) throw new Error(`rotation ${from}→${to} did not finish: ${JSON.stringify(done)}`);
    runs.push({ from, to, batchSize, keys: done.rewrapped, seconds: round(seconds, 2), keysPerSecond: round(done.rewrapped / seconds, 0) });
    log(`${from}→${to}, batches of ${batchSize}: ${done.rewrapped} keys in ${round(seconds, 2)} s`);
  }
  console.log(JSON.stringify({ benchmark: 'kek-rotation', node: process.version, subjects: SUBJECTS, rewrapOnlyKeysPerSecond: rewrapOnly, runs }, null, 2));
} finally {
  await sql.end({ timeout: 5 });
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
