#!/usr/bin/env node
/**
 * The operator's KEK tool, beside a running API or on its own (`npm run kek -w api -- <command>`):
 *
 *   rotate [--from N] [--batch N]  rewrap every data key from version N (by default the oldest in use)
 *                                  to the current version, showing progress; resumes an unfinished
 *                                  rotation; Ctrl-C (or a kill) loses nothing: run it again to go on
 *   status                         the versions, their keys, and the latest rotation (JSON)
 *   retire N                       retire version N (refused while a key is wrapped under it)
 *   new-version                    development only: create the next version's key file
 *                                  (kek-v<N>.key in the data directory); restart the API to use it
 *
 * It reads the same configuration as the API (CV_KEK, CV_KEKS, CV_KEK_CURRENT, VAULT_DATABASE_URL,
 * CV_DATA_DIR); with the embedded defaults it connects to the API's embedded Postgres, or starts it.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { connectDatabase, migrate, type Sql } from '../infra/database.js';
import { embeddedPostgresUrl, startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { newId } from '../ids.js';
import { createKekVersionFile, createKeyRotation, loadKekRing, openKekRing, rotationProgress, type KekRotation } from '../vault/index.js';

const USAGE = 'usage: npm run kek -w api -- rotate [--from N] [--batch N] | status | retire N | new-version';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' }, batch: { type: 'string' } } });
  const [command = 'rotate', argument] = positionals;
  const config = loadConfig();
  const keysDir = join(config.dataDir, 'keys');
  if (command === 'new-version') {
    if (config.secrets.kek || config.secrets.keks) throw new ConfigError('the KEKs come from the environment here: add the new version to CV_KEKS');
    const version = await createKekVersionFile(keysDir, await loadKekRing(keysDir, config.secrets));
    console.log(`created KEK version ${version} in ${keysDir}; restart the API so it wraps new keys with it, then run: npm run kek:rotate -w api`);
    return;
  }
  const batchSize = positiveInteger(values.batch, 'batch') ?? 1_000;
  const fromVersion = positiveInteger(values.from, 'from');
  const db = await openDatabase(config);
  try {
    await migrate(db.sql);
    const ring = await openKekRing(db.sql, keysDir, config.secrets);
    const { service } = createKeyRotation(
      db.sql,
      ring,
      () => newId(),
      () => {},
    );
    if (command === 'status') {
      const status = await service.status();
      console.log(JSON.stringify({ ...status, rotation: status.rotation ?? null }, null, 2));
    } else if (command === 'retire') {
      const version = positiveInteger(argument, 'version');
      if (version === undefined) throw new ConfigError(USAGE);
      await service.retire(version);
      console.log(`KEK version ${version} is retired; remove its key from the configuration`);
    } else if (command === 'rotate') {
      await rotate(service, { fromVersion, batchSize });
    } else {
      throw new ConfigError(USAGE);
    }
  } finally {
    await db.close();
  }
}

async function rotate(
  service: ReturnType<typeof createKeyRotation>['service'],
  options: { fromVersion: number | undefined; batchSize: number },
): Promise<void> {
  const started = await service.start('cli', options.fromVersion);
  const stop = new AbortController();
  const onSignal = (): void => {
    console.error('stopping after the batch in flight; run the rotation again to resume');
    stop.abort();
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  console.error(
    `${started.rewrapped > 0 ? 'resuming' : 'starting'} rotation ${started.id}: KEK version ${started.fromVersion} → ${started.toVersion}, ${started.total} keys`,
  );
  const resumedAt = Date.now();
  const resumedFrom = started.rewrapped;
  let shownAt = 0;
  const show = (r: KekRotation, force = false): void => {
    if (!force && Date.now() - shownAt < 1_000) return;
    shownAt = Date.now();
    const rate = (r.rewrapped - resumedFrom) / Math.max((Date.now() - resumedAt) / 1000, 0.001);
    const left = Math.max(r.total - r.rewrapped - r.skipped, 0);
    const { percent } = rotationProgress(r);
    console.error(
      `  ${r.rewrapped} / ${r.total} rewrapped (${percent}%), ${r.skipped} skipped (erased meanwhile), ${Math.round(rate)} keys/s, about ${Math.ceil(left / Math.max(rate, 1))} s left`,
    );
  };
  const done = await service.run(started.id, { batchSize: options.batchSize, signal: stop.signal, onProgress: (r) => show(r) });
  show(done, true);
  const seconds = (Date.now() - resumedAt) / 1000;
  const summary = { ...done, ...rotationProgress(done), keysPerSecondThisRun: Math.round((done.rewrapped - resumedFrom) / Math.max(seconds, 0.001)) };
  console.log(JSON.stringify(summary));
  if (!done.finishedAt) process.exitCode = 3; // stopped before the end
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new ConfigError(`--${name} must be a positive whole number`);
  return Number(value);
}

/** The configured database; with the embedded default, the API's running Postgres, or else one started here. */
async function openDatabase(config: Config): Promise<{ sql: Sql; close(): Promise<void> }> {
  if (config.database.kind === 'url') {
    const sql = connectDatabase(config.database.url);
    return { sql, close: () => sql.end({ timeout: 5 }) };
  }
  const running = connectDatabase(embeddedPostgresUrl(config.database.port));
  try {
    await running`select 1`;
    return { sql: running, close: () => running.end({ timeout: 5 }) };
  } catch {
    await running.end({ timeout: 1 });
  }
  const pg = await startEmbeddedPostgres(config.database.dir, config.database.port, { sharedBuffersMb: config.database.sharedBuffersMb });
  const sql = connectDatabase(pg.url, undefined, pg.socketPath);
  return {
    sql,
    close: async () => {
      await sql.end({ timeout: 5 });
      await pg.stop();
    },
  };
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err instanceof Error && 'code' in err ? `${String(err.code)}: ${err.message}` : err);
    process.exit(1);
  },
);
