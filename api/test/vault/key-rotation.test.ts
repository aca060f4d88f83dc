import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAccessLog } from '../../src/audit/index.js';
import { newDataKey } from '../../src/infra/aead.js';
import { embeddedPostgresUrl } from '../../src/infra/embedded-postgres.js';
import { newId } from '../../src/ids.js';
import { createKeyRotation, createVaultService, KekRing, pgVaultStore, type VaultService } from '../../src/vault/index.js';
import { usePostgres } from '../postgres.js';
import { MemoryLedger } from '../twins/memory-ledger.js';

const CLI = fileURLToPath(new URL('../../dist/app/kek-cli.js', import.meta.url));
const SUBJECTS = 100_000;
const READERS = 20;

const v1 = randomBytes(32);
const v2 = randomBytes(32);
const v3 = randomBytes(32);
const indexKey = randomBytes(32);
const ring = (current: number, ...versions: [number, Buffer][]): KekRing => new KekRing(new Map(versions), current);

const pg = usePostgres();
let dataDir = '';
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cv-kek-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Subjects with random data keys wrapped under `version`, written straight to the table; their keys by id. */
async function seedSubjects(count: number, keks: KekRing, version: number): Promise<Map<string, Uint8Array>> {
  const keys = new Map<string, Uint8Array>();
  for (let done = 0; done < count; done += 5_000) {
    const rows = Array.from({ length: Math.min(5_000, count - done) }, () => {
      const id = newId();
      const dataKey = newDataKey();
      keys.set(id, dataKey);
      return { id, national_id_index: randomBytes(32), wrapped_key: keks.wrap(id, dataKey, version).wrapped, kek_version: version };
    });
    await pg.sql`insert into subjects ${pg.sql(rows, 'id', 'national_id_index', 'wrapped_key', 'kek_version')}`;
  }
  return keys;
}

function vaultWith(keks: KekRing): VaultService {
  return createVaultService({ store: pgVaultStore(pg.sql), ledger: new MemoryLedger(), keys: { keks, indexKey }, log: pgAccessLog(pg.sql) });
}

/** The kek CLI as the operator runs it, in a child process, against this test's Postgres. */
function cli(args: string[], keks: { CV_KEK: string; CV_KEKS?: string }) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH,
      VAULT_DATABASE_URL: embeddedPostgresUrl(pg.sql.options.port[0]!),
      CV_DEV_MODE: 'true',
      CV_DATA_DIR: dataDir,
      CV_INDEX_KEY: indexKey.toString('base64'),
      LOG_LEVEL: 'silent',
      ...keks,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

async function rotationRow(): Promise<{ rewrapped: number; finished: boolean } | undefined> {
  const [row] = await pg.sql<
    { rewrapped: string; finished_at: Date | null }[]
  >`select rewrapped, finished_at from kek_rotations order by started_at desc limit 1`;
  return row && { rewrapped: Number(row.rewrapped), finished: row.finished_at !== null };
}

describe('KEK rotation (Postgres)', () => {
  it(`rewraps ${SUBJECTS.toLocaleString('en')} data keys across a kill -9 of the rotating process, resumed; every key opens under the new version and reads never fail meanwhile`, async () => {
    expect(existsSync(CLI), `${CLI} is missing: build first (npx tsc -b api)`).toBe(true);
    // Citizens with real records, deposited while version 1 is the only KEK.
    await pg.sql`insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
                   values (${newId()}, 'Công an tỉnh', ${'REG-' + newId()}, 'Org1MSP', ${['custodian']}, '{}', 'VERIFIED') returning id`;
    const [custodianRow] = await pg.sql<{ id: string }[]>`select id from organizations where name = 'Công an tỉnh' limit 1`;
    const custodian = { id: custodianRow!.id, roles: ['custodian'] };
    const before = vaultWith(ring(1, [1, v1]));
    const citizens = Array.from({ length: READERS }, (_, i) => ({
      nationalId: String(790000000000 + i),
      fields: { province: `Tỉnh ${i}`, streetAddress: `${i} Lê Lợi` },
    }));
    for (const c of citizens) await before.deposit(custodian, { nationalId: c.nationalId, category: 'residence', fields: c.fields });
    const seeded = await seedSubjects(SUBJECTS, ring(1, [1, v1]), 1);

    // Reads go on all the while, through a vault that holds both versions (the API during a rotation).
    const during = vaultWith(ring(2, [1, v1], [2, v2]));
    let reading = true;
    let reads = 0;
    const readFailures: unknown[] = [];
    const reader = (async () => {
      for (let i = 0; reading; i++) {
        const c = citizens[i % READERS]!;
        try {
          const [record] = await during.recordsOf(c.nationalId);
          expect(record?.fields).toEqual(c.fields);
          reads++;
        } catch (err) {
          readFailures.push(err);
        }
        await new Promise((r) => setTimeout(r, 5)); // a steady trickle of reads, not a flood competing with the rotation
      }
    })();

    const keks = { CV_KEK: v1.toString('base64'), CV_KEKS: `2:${v2.toString('base64')}` };
    const first = cli(['rotate', '--batch', '500'], keks);
    let row = await rotationRow();
    while (!row || row.rewrapped < 30_000) {
      const early = await Promise.race([first.exited, new Promise((r) => setTimeout(r, 20))]);
      if (early) throw new Error(`the rotation ended before it could be killed: ${JSON.stringify(early)}`);
      row = await rotationRow();
    }
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // Killed part-way: what committed is exactly what the job's row counts, and nothing else moved.
    const killed = await rotationRow();
    const [moved] = await pg.sql<{ v1: string; v2: string }[]>`
        select count(*) filter (where kek_version = 1) as v1, count(*) filter (where kek_version = 2) as v2 from subjects where wrapped_key is not null`;
    expect(killed!.finished).toBe(false);
    expect(killed!.rewrapped).toBeGreaterThanOrEqual(30_000);
    expect(killed!.rewrapped).toBeLessThan(SUBJECTS);
    expect(Number(moved!.v2)).toBe(killed!.rewrapped);
    expect(Number(moved!.v1) + Number(moved!.v2)).toBe(SUBJECTS + READERS);

    const second = cli(['rotate', '--batch', '500'], keks);
    const resumed = await second.exited;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming rotation');
    const summary = JSON.parse(resumed.stdout.trim().split('\n').pop()!) as {
      rewrapped: number;
      total: number;
      skipped: number;
      state: string;
      keysPerSecondThisRun: number;
    };
    expect(summary).toMatchObject({ state: 'FINISHED', rewrapped: SUBJECTS + READERS, total: SUBJECTS + READERS, skipped: 0 });
    reading = false;
    await reader;
    expect(readFailures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    console.log(
      `KEK rotation: ${SUBJECTS + READERS} keys; resumed run ${summary.keysPerSecondThisRun} keys/s (batches of 500, in a child process); ${reads} reads during it, none failed`,
    );

    // Every key opens under version 2 alone and is the key it was; none is left under version 1.
    const after = ring(2, [2, v2]);
    let opened = 0;
    for await (const rows of pg.sql<{ id: string; wrapped_key: Buffer; kek_version: number }[]>`
        select id, wrapped_key, kek_version from subjects`.cursor(5_000)) {
      for (const r of rows) {
        expect(r.kek_version).toBe(2);
        const key = after.unwrap(r.id, r.wrapped_key, 2);
        const original = seeded.get(r.id);
        if (original) expect(Buffer.from(key).equals(Buffer.from(original))).toBe(true);
        opened++;
      }
    }
    expect(opened).toBe(SUBJECTS + READERS);
    const sample = [...seeded.keys()].slice(0, 100);
    const oldCopies = await pg.sql<{ id: string; wrapped_key: Buffer }[]>`select id, wrapped_key from subjects where id in ${pg.sql(sample)}`;
    for (const r of oldCopies) expect(() => ring(1, [1, v1]).unwrap(r.id, r.wrapped_key, 1)).toThrow(); // no copy under version 1 is left
    const without1 = vaultWith(after);
    for (const c of citizens) expect((await without1.recordsOf(c.nationalId))[0]?.fields).toEqual(c.fields);
  }, 600_000);

  it('retires a version only when no key is wrapped under it, and then refuses any new key under it', async () => {
    const keks = ring(2, [1, v1], [2, v2]);
    const { service } = createKeyRotation(
      pg.sql,
      keks,
      () => newId(),
      () => {},
    );
    await expect(service.retire(2)).rejects.toMatchObject({ code: 'kek_version_in_use' }); // the current version
    const [straggler] = [...(await seedSubjects(1, keks, 1)).keys()];
    await expect(service.retire(1)).rejects.toMatchObject({ code: 'kek_version_in_use', extra: { keys: 1 } });
    await pg.sql`update subjects set wrapped_key = null, erased_at = now() where id = ${straggler!}`; // erased: no key left under 1
    await service.retire(1);
    expect((await service.status()).versions.find((v) => v.version === 1)).toMatchObject({ retired: true, keys: 0 });
    await expect(seedSubjects(1, keks, 1)).rejects.toMatchObject({ code: '23514' });
    await expect(service.start('test', 1)).rejects.toMatchObject({ code: 'conflict' }); // nothing is left under it to rotate
  });

  it('never brings back a key erased while its batch is being rewrapped (compare-and-set), nor one erased anywhere during the rotation', async () => {
    const from = ring(2, [2, v2]);
    const keks = ring(3, [2, v2], [3, v3]);
    await pg.sql`update subjects set wrapped_key = null, erased_at = now()`; // the earlier tests' subjects: out of the way
    const seeded = [...(await seedSubjects(20_000, from, 2)).keys()].sort();
    const rotation = createKeyRotation(
      pg.sql,
      keks,
      () => newId(),
      () => {},
    ).service;
    const started = await rotation.start('test');
    expect(started).toMatchObject({ fromVersion: 2, toVersion: 3, total: 20_000 });

    // An erasure that has written but not committed when the first batch reads the victim's key.
    const victim = seeded[3]!;
    let release!: () => void;
    let erasing!: () => void;
    const erased = new Promise<void>((r) => (erasing = r));
    const erasure = pg.sql.begin(async (tx) => {
      await tx`update subjects set wrapped_key = null, erased_at = now() where id = ${victim}`;
      erasing();
      await new Promise<void>((r) => (release = r));
    });
    await erased;
    const store = (await import('../../src/vault/pg-key-rotation.js')).PgKekRotationStore;
    const batch = new store(pg.sql).rewrapBatch(started.id, 100, (id, wrapped, f, t) => keks.rewrap(id, wrapped, f, t));
    await new Promise((r) => setTimeout(r, 300)); // the batch now waits for the victim's row
    release();
    await erasure;
    const first = await batch;
    expect(first).toMatchObject({ selected: 100, rotation: { rewrapped: 99, skipped: 1 } });

    // More erasures while the rest runs, ahead of the cursor and behind it.
    const victims = [victim];
    const job = rotation.run(started.id, { batchSize: 250 });
    for (let i = 0; i < 40; i++) {
      const id = seeded[Math.floor(Math.random() * seeded.length)]!;
      await pg.sql`update subjects set wrapped_key = null, erased_at = now() where id = ${id}`;
      victims.push(id);
      await new Promise((r) => setTimeout(r, 5));
    }
    const done = await job;
    expect(done.finishedAt).toBeDefined();
    const left = await pg.sql<{ id: string }[]>`select id from subjects where id in ${pg.sql(victims)} and wrapped_key is not null`;
    expect(left).toEqual([]);
    const [counts] = await pg.sql<{ under2: string; under3: string; erased: string }[]>`
      select count(*) filter (where wrapped_key is not null and kek_version = 2) as under2,
             count(*) filter (where wrapped_key is not null and kek_version = 3) as under3,
             count(*) filter (where wrapped_key is null and id in ${pg.sql(seeded)}) as erased from subjects`;
    expect(Number(counts!.under2)).toBe(0);
    expect(Number(counts!.under3) + Number(counts!.erased)).toBe(20_000);
    // Rewrapped counts keys erased after their batch too.
    expect(done.rewrapped).toBeGreaterThanOrEqual(Number(counts!.under3));
    // At least the one erased inside its batch; one of the random erasures can land inside a batch too.
    expect(done.skipped).toBeGreaterThanOrEqual(1);
    expect(done.rewrapped + done.skipped).toBeLessThanOrEqual(20_000);
  }, 120_000);

  it('stops between batches when told, keeping what committed, and the API resumes the unfinished rotation when it starts', async () => {
    const v4 = randomBytes(32);
    const keks = ring(4, [3, v3], [4, v4]);
    const [before] = await pg.sql<{ n: string }[]>`select count(*) as n from subjects where kek_version = 3 and wrapped_key is not null`;
    const under3 = Number(before!.n);
    expect(under3).toBeGreaterThan(1_000);
    const { service } = createKeyRotation(
      pg.sql,
      keks,
      () => newId(),
      () => {},
    );
    const stop = new AbortController();
    const started = await service.start('test');
    const stopped = await service.run(started.id, { batchSize: 500, signal: stop.signal, onProgress: () => stop.abort() });
    expect(stopped).toMatchObject({ rewrapped: 500, finishedAt: undefined });

    const runner = createKeyRotation(
      pg.sql,
      keks,
      () => newId(),
      () => {},
      { batchSize: 500 },
    ); // as the API builds it on start
    runner.start();
    for (let waited = 0; await service.running(); waited += 50) {
      if (waited > 60_000) throw new Error('the resumed rotation did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
    await runner.stop();
    expect(await service.get(started.id)).toMatchObject({ rewrapped: under3, total: under3, skipped: 0 });
    const [after] = await pg.sql<{ n: string }[]>`select count(*) as n from subjects where kek_version = 4 and wrapped_key is not null`;
    expect(Number(after!.n)).toBe(under3);
  }, 120_000);
});
