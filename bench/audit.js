// Audit benchmark, in-process against an embedded Postgres with the API's own migrations and code:
//   1. log appends per second through the group-committed Merkle log (AccessLog), beside the same
//      rows group-committed into a plain table (the baseline: what the tree costs on top);
//   2. p50/p99 inclusion- and consistency-proof time at 1M and 10M leaves (LogService, one
//      Postgres round trip each), beside a `select 1` round trip;
//   3. p50/p99 auditor query time over 10M access events (AuditService: by subject, by consumer
//      and time range, by consent, a second page by cursor).
// BENCH_SECONDS (default 10) sets the append run, BENCH_APPEND_CONCURRENCY (default 64,1024) the appenders,
// BENCH_LOG_SIZES (default 1000000,10000000) the tree sizes, BENCH_AUDIT_EVENTS (default 10000000)
// the access events, BENCH_PARTS (default appends,proofs,queries) which parts run, BENCH_EXPLAIN=1
// prints the auditor queries' plans. The fills are bulk loads in SQL (checkpoints far apart,
// secondary indexes rebuilt after): 10M leaves take about two minutes, 10M events about four.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedPostgres } from '../api/dist/infra/embedded-postgres.js';
import { connectDatabase, migrate } from '../api/dist/infra/database.js';
import { AccessLog } from '../api/dist/audit/access-log.js';
import { LogService, loadOrCreateLogKey } from '../api/dist/audit/log-service.js';
import { PgLogTree, PgTreeHeads } from '../api/dist/audit/pg-log-tree.js';
import { AuditService } from '../api/dist/audit/audit-service.js';
import { verifyInclusion } from '../api/dist/audit/merkle.js';
import postgres from 'postgres';
import { percentiles, round } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SIZES = (process.env.BENCH_LOG_SIZES ?? '1000000,10000000').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 10_000_000);
// Which parts run (a 10M run of all three outlasts one bench-lock slot): appends, proofs, queries.
const PARTS = new Set((process.env.BENCH_PARTS ?? 'appends,proofs,queries').split(','));
// Concurrent appenders, each awaiting its append before the next (a closed loop): 64 and 1,024 by default,
// the larger as many API requests in flight at once.
const CONCURRENCIES = (process.env.BENCH_APPEND_CONCURRENCY ?? '64,1024').split(',').map(Number);
const CONCURRENCY = CONCURRENCIES[0];
const log = (m) => console.error(`bench audit: ${m}`);
const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

async function timed(samples, fn, { warmup = 0 } = {}) {
  // Unrecorded calls first: each pooled connection prepares a statement on its first use, once in a long-running API's life.
  for (let i = 0; i < warmup; i++) await fn(i % samples);
  const out = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return percentiles(out);
}

/** Appends for SECONDS from `concurrency` loops; returns throughput and per-append latency. */
async function appendLoad(append, concurrency = CONCURRENCY) {
  const latencies = [];
  let count = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < end) {
        const t = performance.now();
        await append(w, count++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { appendsPerSecond: round(latencies.length / SECONDS, 0), latencyMs: percentiles(latencies) };
}

/** A plain group commit of the same rows, without the tree: the baseline for appends. */
function plainGroupCommit(sql) {
  let batch = [];
  const flush = async () => {
    const pending = batch;
    batch = [];
    try {
      await sql`insert into bench_plain ${sql(pending.map((p) => p.row))}`;
      pending.forEach((p) => p.ok());
    } catch (err) {
      pending.forEach((p) => p.fail(err));
    }
  };
  return (row) =>
    new Promise((ok, fail) => {
      batch.push({ row, ok, fail });
      if (batch.length === 1) setImmediate(flush);
    });
}

/**
 * Bulk-load settings for the bench's fills (not the product path): checkpoints far apart, so ten
 * million rows are not written twice (full pages after every checkpoint), and memory for the
 * window sorts and index builds. Reset once the fill is done.
 */
async function bulkLoad(sql, fill) {
  await sql`alter system set max_wal_size = '32GB'`;
  await sql`alter system set checkpoint_timeout = '1h'`;
  await sql`select pg_reload_conf()`;
  await sql`set work_mem = '256MB'`;
  await sql`set maintenance_work_mem = '1GB'`;
  try {
    return await fill();
  } finally {
    await sql`reset work_mem`;
    await sql`reset maintenance_work_mem`;
    await sql`alter system reset max_wal_size`;
    await sql`alter system reset checkpoint_timeout`;
    await sql`select pg_reload_conf()`;
    await sql`checkpoint`;
  }
}

/** A table's secondary indexes (those no constraint owns): dropped before a bulk insert, rebuilt after from their own definitions. */
async function withoutSecondaryIndexes(sql, table, fill) {
  const indexes = await sql`select indexname, indexdef from pg_indexes where tablename = ${table}
    and indexname not in (select conname from pg_constraint where conrelid = ${table}::regclass)`;
  for (const ix of indexes) await sql.unsafe(`drop index ${ix.indexname}`);
  try {
    await fill();
  } finally {
    for (const ix of indexes) await sql.unsafe(ix.indexdef);
  }
}

/** Fills the log to `size` leaves in SQL (leaf hashes and every complete subtree, level by level). */
async function fillLog(sql, size) {
  await sql`truncate log_leaves, log_nodes, log_tree_heads cascade`;
  await sql`update log_state set size = 0, last_leaf = null`;
  const t = performance.now();
  await bulkLoad(sql, async () => {
    await withoutSecondaryIndexes(sql, 'log_leaves', async () => {
      for (let start = 0; start < size; start += 1_000_000) {
        const end = Math.min(size, start + 1_000_000);
        await sql.unsafe(`insert into log_leaves (leaf_index, kind, entry, leaf_hash)
          select i, 'licence_use', '{"bench":' || i || '}', sha256('\\x00'::bytea || convert_to('{"bench":' || i || '}', 'UTF8'))
          from generate_series(${start}, ${end - 1}) i`);
        log(`  ${end} leaves (${round((performance.now() - t) / 1000, 1)} s)`);
      }
    });
    // Each level in one ordered pass (pairs of neighbours by a window function): linear, whatever the planner's statistics.
    let level = 1;
    for (let width = 2; width <= size; width *= 2, level++) {
      const below =
        level === 1
          ? 'select leaf_index as idx, leaf_hash as hash, lead(leaf_hash) over (order by leaf_index) as next from log_leaves'
          : `select idx, hash, lead(hash) over (order by idx) as next from log_nodes where level = ${level - 1}`;
      await sql.unsafe(`insert into log_nodes (level, idx, hash)
        select ${level}, idx / 2, sha256('\\x01'::bytea || hash || next) from (${below}) pairs where idx % 2 = 0 and next is not null`);
    }
    log(`  ${level - 1} levels of subtrees (${round((performance.now() - t) / 1000, 1)} s)`);
    await sql`update log_state set size = ${size}, last_leaf = (select leaf_hash from log_leaves where leaf_index = ${size - 1})`;
    await sql`vacuum analyze log_leaves`;
    await sql`vacuum analyze log_nodes`;
  });
  return round((performance.now() - t) / 1000, 1);
}

async function fillEvents(sql, n) {
  const t = performance.now();
  await sql.unsafe(`insert into organizations (id, name, registration_number, msp_id, roles, status, jwks)
    select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'Bench consumer ' || i, 'BENCH-' || i, 'VaultOperatorMSP', '{consumer}', 'VERIFIED', '{"keys":[]}'::jsonb
    from generate_series(1, 50) i on conflict do nothing`);
  await sql.unsafe(`insert into subjects (id, national_id_index)
    select ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, sha256(convert_to('s' || i, 'UTF8'))
    from generate_series(1, 20000) i on conflict do nothing`);
  await sql.unsafe(`insert into consents (id, subject_id, consumer_org_id, purpose, requested_fields, granted_fields, access_mode, valid_from, valid_until,
      retention_days, onward_transfer, cross_border, justification, status, artefact, artefact_salt, artefact_hash, requested_at, updated_at)
    select ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, ('10000000-0000-4000-8000-' || lpad((1 + i % 20000)::text, 12, '0'))::uuid,
      ('00000000-0000-4000-8000-' || lpad((1 + i % 50)::text, 12, '0'))::uuid, (array['credit_scoring','identity_verification','insurance_underwriting'])[1 + i % 3],
      '{residence.province}', '{residence.province}', '{"mode":"PERIODIC","limit":100,"per":"DAY"}'::jsonb, now() - interval '90 days', now() + interval '90 days',
      30, false, false, 'bench', 'ACTIVE', '{}'::jsonb, '\\x00'::bytea, 'x', now() - interval '90 days', now()
    from generate_series(1, 40000) i on conflict do nothing`);
  await bulkLoad(sql, async () => {
    await withoutSecondaryIndexes(sql, 'access_events', async () => {
      // The rows reference the organisations, subjects and consents above by construction: their
      // foreign-key checks (and the retention trigger, which no auditor query reads) are skipped for the fill.
      await sql`set session_replication_role = replica`;
      try {
        for (let start = 1; start <= n; start += 1_000_000) {
          const end = Math.min(n, start + 999_999);
          // Ids are UUIDv7 like the API's (newId): their first 48 bits are the event's millisecond.
          await sql.unsafe(`insert into access_events (id, consent_id, subject_id, consumer_org_id, purpose, fields, outcome, reason, usage_period, at)
            select (lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
              consent_id, subject_id, consumer_org_id, purpose, fields, outcome, reason, usage_period, at
            from (select ('20000000-0000-4000-8000-' || lpad((1 + i % 40000)::text, 12, '0'))::uuid,
              ('10000000-0000-4000-8000-' || lpad((1 + (i % 40000) % 20000)::text, 12, '0'))::uuid,
              ('00000000-0000-4000-8000-' || lpad((1 + (i % 40000) % 50)::text, 12, '0'))::uuid,
              (array['credit_scoring','identity_verification','insurance_underwriting'])[1 + (i % 40000) % 3], '{residence.province}'::text[],
              case when i % 20 = 0 then 'DENIED' else 'GRANTED' end, case when i % 20 = 0 then 'not_active' end, null::text,
              now() - (i % 7776000) * interval '1 second' as at, md5(i::text) as h
              from generate_series(${start}, ${end}) i) g(consent_id, subject_id, consumer_org_id, purpose, fields, outcome, reason, usage_period, at, h)`);
          log(`  ${end} events (${round((performance.now() - t) / 1000, 1)} s)`);
        }
      } finally {
        await sql`set session_replication_role = default`;
      }
    });
    log(`  indexes rebuilt (${round((performance.now() - t) / 1000, 1)} s)`);
    await sql`vacuum analyze access_events`;
  });
  return round((performance.now() - t) / 1000, 1);
}

/** The auditor queries' plans at this size (BENCH_EXPLAIN=1), to stderr: the same SQL AuditService sends, with one sample's values. */
async function explainQueries(sql) {
  const select = `select e.id, e.consent_id, e.subject_id, e.consumer_org_id, o.name as consumer_name, e.purpose, e.fields, e.outcome, e.reason, e.at, e.leaf_index
    from access_events e join organizations o on o.id = e.consumer_org_id where true`;
  const order = 'order by e.at desc, e.id desc limit 51';
  const [second] = await sql`select at, id from access_events where consumer_org_id = '00000000-0000-4000-8000-000000000007'
    order by at desc, id desc offset 49 limit 1`;
  const plans = {
    bySubject: `${select} and e.subject_id = '10000000-0000-4000-8000-000000000123' ${order}`,
    byConsumerAndWeek: `${select} and e.consumer_org_id = '00000000-0000-4000-8000-000000000007' and e.at >= now() - interval '40 days' and e.at < now() - interval '33 days' ${order}`,
    byConsent: `${select} and e.consent_id = '20000000-0000-4000-8000-000000000123' ${order}`,
    byPurposeDeniedWeek: `${select} and e.purpose = 'credit_scoring' and e.outcome = 'DENIED' and e.at >= now() - interval '40 days' and e.at < now() - interval '33 days' ${order}`,
    secondPageByConsumer: `${select} and e.consumer_org_id = '00000000-0000-4000-8000-000000000007'
      and (e.at, e.id) < ('${second.at.toISOString()}'::timestamptz, '${second.id}'::uuid) ${order}`,
  };
  for (const [name, text] of Object.entries(plans)) {
    const rows = await sql.unsafe(`explain (analyze, buffers) ${text}`);
    log(`plan ${name}:\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  }
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'cv-bench-audit-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres(join(dir, 'pg'), await freePort());
  // Interrupted (Ctrl-C, a timeout): stop Postgres too, or its backend goes on filling a 10M-leaf tree alone.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(
      signal,
      () =>
        void pg
          .stop()
          .finally(() => rm(dir, { recursive: true, force: true }))
          .finally(() => process.exit(130)),
    );
  }
  const sql = connectDatabase(pg.url);
  // Filling millions of rows takes longer than the API's statement timeout allows one statement.
  const bulk = postgres(pg.url, { max: 1, onnotice: () => {}, connection: { statement_timeout: 0 } });
  try {
    await migrate(sql);
    const report = { benchmark: 'audit', node: process.version, concurrency: CONCURRENCY, seconds: SECONDS };

    // 1. Appends
    if (PARTS.has('appends')) {
      await sql`create table bench_plain (id bigserial primary key, kind text not null, entry text not null, leaf_hash bytea not null, appended_at timestamptz not null default now())`;
      const plain = plainGroupCommit(sql);
      const entry = (w, i) => ({ licenceId: `bench-${w}`, units: 1, seq: i, at: new Date().toISOString() });
      const accessLog = new AccessLog(sql);
      for (const concurrency of CONCURRENCIES) {
        log(`appends: plain group commit (baseline), ${concurrency} appenders`);
        const baseline = await appendLoad(
          (w, i) => plain({ kind: 'licence_use', entry: JSON.stringify(entry(w, i)), leaf_hash: Buffer.alloc(32) }),
          concurrency,
        );
        log(`appends: Merkle log, ${concurrency} appenders`);
        const merkle = await appendLoad((w, i) => accessLog.append('licence_use', entry(w, i)), concurrency);
        const result = { merkleLog: merkle, plainInsertBaseline: baseline, ratioToBaseline: round(merkle.appendsPerSecond / baseline.appendsPerSecond) };
        if (concurrency === CONCURRENCY) report.appends = result;
        else (report.appendsAt ??= {})[concurrency] = result;
      }
    }

    // 2. Proofs at 1M and 10M leaves
    const service = new LogService(
      new PgLogTree(sql),
      new PgTreeHeads(sql),
      /* no ledger: nothing is anchored here */ null,
      await loadOrCreateLogKey(join(dir, 'log.pem')),
      {
        intervalMs: 1e9,
        log: () => {},
      },
    );
    const roundTrip = await timed(1000, () => sql`select 1`);
    report.proofs = { selectOneBaselineMs: roundTrip, sizes: {} };
    for (const size of PARTS.has('proofs') ? SIZES : []) {
      log(`filling the log to ${size} leaves`);
      const fillSeconds = await fillLog(bulk, size);
      const root = await service.rootAt(size);
      // Sanity: a proof from the SQL-built tree verifies with the API's own verifier.
      const sample = await service.inclusionProof(size - 1, size);
      if (
        !verifyInclusion(
          Buffer.from(sample.leafHash, 'hex'),
          size - 1,
          size,
          sample.auditPath.map((h) => Buffer.from(h, 'hex')),
          root,
        )
      )
        throw new Error('a proof did not verify');
      const random = () => Math.floor(Math.random() * size);
      const inclusion = await timed(2000, () => {
        const t = size - (random() % Math.min(1000, size));
        return service.inclusionProof(Math.floor(Math.random() * t), t);
      });
      const consistency = await timed(1000, () => {
        const a = 1 + random();
        return service.consistencyProof(a, size);
      });
      // The same under concurrency (32 at a time), as a busy proof endpoint sees it.
      const concurrent = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          for (let i = 0; i < 100; i++) {
            const t = performance.now();
            await service.inclusionProof(random(), size);
            concurrent.push(performance.now() - t);
          }
        }),
      );
      report.proofs.sizes[size] = {
        fillSeconds,
        auditPathLength: sample.auditPath.length,
        inclusionMs: inclusion,
        consistencyMs: consistency,
        inclusionConcurrent32: { proofsPerSecond: round(concurrent.length / ((performance.now() - t0) / 1000), 0), latencyMs: percentiles(concurrent) },
      };
    }

    // 3. Auditor queries over 1M events
    if (PARTS.has('queries')) {
      log(`filling ${EVENTS} access events`);
      const fillSeconds = await fillEvents(bulk, EVENTS);
      const audit = new AuditService(sql, null);
      const subject = () => `10000000-0000-4000-8000-${String(1 + Math.floor(Math.random() * 20000)).padStart(12, '0')}`;
      const consumer = () => `00000000-0000-4000-8000-${String(1 + Math.floor(Math.random() * 50)).padStart(12, '0')}`;
      const consent = () => `20000000-0000-4000-8000-${String(1 + Math.floor(Math.random() * 40000)).padStart(12, '0')}`;
      const week = () => {
        const to = new Date(Date.now() - Math.random() * 80 * 86400_000);
        return { from: new Date(to.getTime() - 7 * 86400_000), to };
      };
      const queries = {
        bySubject: await timed(500, () => audit.accessEvents({ subjectId: subject() }, 50), { warmup: 100 }),
        byConsumerAndWeek: await timed(500, () => audit.accessEvents({ consumerOrgId: consumer(), ...week() }, 50), { warmup: 100 }),
        byConsent: await timed(500, () => audit.accessEvents({ consentId: consent() }, 50), { warmup: 100 }),
        byPurposeDeniedWeek: await timed(200, () => audit.accessEvents({ purpose: 'credit_scoring', outcome: 'DENIED', ...week() }, 50), { warmup: 100 }),
        // The second page alone, after a first page of the same consumer fetched outside the timing.
        secondPageByConsumer: await (async () => {
          const cursors = [];
          for (let i = 0; i < 300; i++) {
            const id = consumer();
            cursors.push({ id, cursor: (await audit.accessEvents({ consumerOrgId: id }, 50)).nextCursor });
          }
          return timed(300, (i) => audit.accessEvents({ consumerOrgId: cursors[i].id }, 50, cursors[i].cursor || undefined), { warmup: 100 });
        })(),
        // Both pages one after the other, as a client paging through sees them (two round trips).
        firstAndSecondPageByConsumer: await timed(300, async () => {
          const id = consumer();
          const first = await audit.accessEvents({ consumerOrgId: id }, 50);
          return audit.accessEvents({ consumerOrgId: id }, 50, first.nextCursor || undefined);
        }),
      };
      if (process.env.BENCH_EXPLAIN) await explainQueries(bulk);
      const all = Object.entries(queries).flatMap(([name, q]) => (name === 'firstAndSecondPageByConsumer' ? [] : [q.p99]));
      report.auditorQueries = { events: EVENTS, fillSeconds, pageSize: 50, ms: queries, worstP99Ms: Math.max(...all), selectOneBaselineMs: roundTrip };
    }
    // Issue 16's goals, each beside its baseline in this run.
    report.goals = [
      ...(report.appends
        ? [
            {
              goal: `access log: >= 50,000 durable appends/s (${CONCURRENCY} appenders)`,
              measured: `${report.appends.merkleLog.appendsPerSecond}/s, p99 ${report.appends.merkleLog.latencyMs.p99} ms; ${Object.entries(
                report.appendsAt ?? {},
              )
                .map(([c, r]) => `${r.merkleLog.appendsPerSecond}/s at ${c} appenders`)
                .join(', ')}`,
              baseline: `plain group-committed insert ${report.appends.plainInsertBaseline.appendsPerSecond}/s (ratio ${report.appends.ratioToBaseline})`,
              met: report.appends.merkleLog.appendsPerSecond >= 50_000,
            },
          ]
        : []),
      ...Object.entries(report.proofs.sizes).map(([size, p]) => ({
        goal: `proofs at ${size} leaves: inclusion and consistency p99 <= 2 ms`,
        measured: `inclusion p99 ${p.inclusionMs.p99} ms, consistency p99 ${p.consistencyMs.p99} ms`,
        baseline: `select 1 round trip p99 ${roundTrip.p99} ms`,
        met: p.inclusionMs.p99 <= 2 && p.consistencyMs.p99 <= 2,
      })),
      ...(report.auditorQueries
        ? [
            {
              goal: `auditor queries over ${EVENTS} access events, second page included: p99 <= 5 ms`,
              measured: Object.entries(report.auditorQueries.ms)
                .filter(([name]) => name !== 'firstAndSecondPageByConsumer')
                .map(([name, q]) => `${name} ${q.p99}`)
                .join(', '),
              baseline: `select 1 round trip p99 ${roundTrip.p99} ms`,
              met: report.auditorQueries.worstP99Ms <= 5,
            },
          ]
        : []),
    ];
    console.log(JSON.stringify(report));
  } finally {
    await sql.end({ timeout: 5 });
    await bulk.end({ timeout: 5 });
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
