// Cost growth (issue 16, goal 7): consented reads (JSON, 50 connections) over a random sample of
// the consents when the vault holds 10,000 citizens, then — in the same run, on the same stack —
// once it holds 1,000,000 citizens with 1,000,000 ACTIVE consents; the ratio of the two beside the
// goal (within 1.2×), the bare-Express baseline of the same run, the load average around each
// measurement, and the bytes each citizen costs in the vault, the consents and the access log.
//
// Growing to 1M is done in SQL, on the bench's own connection (no statement timeout): sealing a
// citizen in JS takes ~0.5 ms, so 1M would take minutes. The citizens the reads sample are sealed
// exactly as the vault seals them (seed-reads.js) into staging tables; every other citizen is a
// copy of one of them under new ids (its own subject, records, versions and consent, with bytes of
// the same length), and all are inserted in one random order, so the sampled rows lie spread over
// the whole heap and every index, as a random citizen's would, not clustered at one end.
//
// BENCH_GROWTH_FROM (10,000) and BENCH_GROWTH_CITIZENS (1,000,000) set the two sizes,
// BENCH_GROWTH_SAMPLE (10,000) the consents each measurement reads, BENCH_SECONDS its length, and
// BENCH_GROWTH_AFTER_SQL statements to run before measuring at the larger size (a candidate index).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { usagePeriod } from '@citizen-vault/chaincode/rules';
import { PgReadSource } from '../api/dist/consent/read/pg-read-source.js';
import { hotConsent } from './approvals.js';
import { seedConsentedCitizens } from './seed-reads.js';
import { spawnChild, startStackProcess } from './stack.js';
import { round } from './stats.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 3;
const SMALL = Number(process.env.BENCH_GROWTH_FROM ?? 10_000);
const LARGE = Number(process.env.BENCH_GROWTH_CITIZENS ?? 1_000_000);
/** Consents each measurement reads, drawn at random from all of them (at 10k: all of them). */
const SAMPLE = Math.min(SMALL, Number(process.env.BENCH_GROWTH_SAMPLE ?? 10_000));
const EXPLAINED = 20;
/** Statements run after growing, before measuring at 1M (`;`-separated), e.g. a candidate index: to measure a fix. */
const AFTER_GROWTH_SQL = process.env.BENCH_GROWTH_AFTER_SQL ?? '';
/** Goal 7 of issue 16: at 1M, throughput and p99 within 1.2× of the figures at 10k. */
const GOAL = { maxRatio: 1.2 };

/** The tables each group of stored bytes is made of (those that exist); indexes and TOAST included. */
const GROUPS = {
  vault: ['subjects', 'records', 'record_versions', 'subject_restrictions', 'legal_holds'],
  consents: ['consents', 'consent_usage', 'consent_intents', 'consent_decision_evidence', 'reconsent_requests'],
  accessLog: ['access_events', 'retention_deadlines', 'log_leaves', 'log_nodes', 'log_tree_heads', 'log_state'],
};
const WRITTEN_BY_READS = ['consent_usage', 'access_events', 'log_leaves', 'log_nodes', 'retention_deadlines'];
const STAGED = { subjects: 'growth_subjects', records: 'growth_records', versions: 'growth_record_versions', consents: 'growth_consents' };

async function firstLine(child) {
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
  });
}

function shuffle(items) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const loadAverage = () => loadavg().map((x) => round(x, 2));

/** Autocannon at 50 connections for `seconds`; with `paths`, each request takes the next one, round robin. */
async function load(url, headers, { paths, seconds = SECONDS, cpu } = {}) {
  let next = 0;
  const requests = paths ? [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }] : undefined;
  const cpuBefore = cpu?.();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, ...(requests ? { requests } : {}) });
  const cpuAfter = cpu?.();
  return {
    requestsPerSecond: round(result.requests.average, 0),
    requests: result.requests.total,
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? { stackCpuMsPerRequest: round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, result.requests.total), 2) }
      : {}),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * Shared-buffer hits and reads (from the OS cache or the disk) so far, per table and index: where a
 * read's buffer misses go. Approximate: backends publish their counters about once a second.
 */
async function blocks(sql) {
  await sql`select pg_stat_force_next_flush()`.catch(() => {}); // Postgres ≥ 15: this session's counters now
  await new Promise((r) => setTimeout(r, 1_100));
  const rows = await sql`select io.relname, coalesce(heap_blks_hit, 0) + coalesce(idx_blks_hit, 0) + coalesce(toast_blks_hit, 0) as hit,
    coalesce(heap_blks_read, 0) as heap_read, coalesce(idx_blks_read, 0) + coalesce(tidx_blks_read, 0) as index_read, coalesce(toast_blks_read, 0) as toast_read,
    t.seq_scan, t.seq_tup_read
    from pg_statio_user_tables io join pg_stat_user_tables t on t.relid = io.relid`;
  return new Map(
    rows.map((r) => [
      r.relname,
      {
        hit: Number(r.hit),
        heapRead: Number(r.heap_read),
        indexRead: Number(r.index_read) + Number(r.toast_read),
        seqScans: Number(r.seq_scan),
        seqRows: Number(r.seq_tup_read),
      },
    ]),
  );
}

function blocksPerRequest(before, after, requests) {
  let hit = 0;
  let read = 0;
  const readsByTable = {};
  const seqScans = {};
  for (const [table, a] of after) {
    const b = before.get(table) ?? { hit: 0, heapRead: 0, indexRead: 0, seqScans: 0, seqRows: 0 };
    // Whole-table scans while the reads ran (by the API's background workers too): a cost that grows with the table
    if (a.seqRows - b.seqRows >= 1_000) seqScans[table] = { scans: a.seqScans - b.seqScans, rows: a.seqRows - b.seqRows };
    const heap = a.heapRead - b.heapRead;
    const index = a.indexRead - b.indexRead;
    hit += a.hit - b.hit;
    read += heap + index;
    if (heap + index >= requests / 100) readsByTable[table] = { heap: round(heap / requests, 2), indexes: round(index / requests, 2) };
  }
  return { hit: round(hit / requests, 1), read: round(read / requests, 2), hitRatio: round(hit / Math.max(1, hit + read), 4), readsByTable, seqScans };
}

/**
 * Consented reads over `paths`, after a checkpoint (so that writing out the seeding's dirty pages
 * does not fall inside the measurement) and a warm-up on the hot consent (JIT, pools). The warm-up
 * is also the control: the same single row at both sizes, so its change says how much the shared
 * machine itself changed between the two measurements.
 */
async function measureReads(stack, sql, auth, hotPath, paths) {
  await sql`checkpoint`;
  const control = await load(`${stack.base}${hotPath}`, auth, { seconds: WARM_UP_SECONDS });
  // Statistics of the tables reads write, as they now are: planned while nearly empty, the lookups
  // of the use counter and of the foreign keys would seq-scan tables that grow during the measurement.
  await sql.unsafe(`analyze ${(await existingTables(sql, WRITTEN_BY_READS)).join(', ')}`);
  const loadBefore = loadAverage();
  const before = await blocks(sql);
  const reads = await load(stack.base, auth, { paths, cpu: stack.cpuSeconds });
  const after = await blocks(sql);
  return {
    ...reads,
    loadAverage: { before: loadBefore, after: loadAverage() },
    buffersPerRequest: blocksPerRequest(before, after, Math.max(1, reads.requests)),
    hotConsentControl: { seconds: WARM_UP_SECONDS, requestsPerSecond: control.requestsPerSecond, latencyMs: control.latencyMs },
  };
}

async function existingTables(sql, names) {
  const rows = await sql`select relname from pg_class where relkind = 'r' and relname = any(${names}) and relnamespace = current_schema()::regnamespace`;
  const present = new Set(rows.map((r) => r.relname));
  return names.filter((n) => present.has(n));
}

/** Real sizes (after VACUUM ANALYZE) of every table of every group: heap with TOAST and maps, indexes, total. */
async function storedBytes(sql, { citizens, events }) {
  const groups = {};
  for (const [group, names] of Object.entries(GROUPS)) {
    const tables = await existingTables(sql, names);
    await sql.unsafe(`vacuum (analyze) ${tables.join(', ')}`);
    const rows = await sql`
      select c.relname as table, c.reltuples::bigint as rows, pg_table_size(c.oid)::bigint as table_bytes,
             pg_indexes_size(c.oid)::bigint as index_bytes, pg_total_relation_size(c.oid)::bigint as total_bytes
      from pg_class c where c.relname = any(${tables}) and c.relnamespace = current_schema()::regnamespace order by c.relname`;
    const total = rows.reduce((sum, r) => sum + Number(r.total_bytes), 0);
    groups[group] = {
      totalBytes: total,
      bytesPerCitizen: round(total / citizens, 1),
      ...(group === 'accessLog' ? { accessEvents: events, bytesPerAccessEvent: events > 0 ? round(total / events, 1) : null } : {}),
      tables: Object.fromEntries(
        rows.map((r) => [
          r.table,
          { rows: Math.max(0, Number(r.rows)), tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes), totalBytes: Number(r.total_bytes) },
        ]),
      ),
    };
  }
  const [blind] =
    await sql`select pg_relation_size(i.indexrelid)::bigint as bytes from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = 'subjects'::regclass and a.attname = 'national_id_index'`;
  groups.vault.blindIndexBytes = Number(blind?.bytes ?? 0);
  const total = Object.values(groups).reduce((sum, g) => sum + g.totalBytes, 0);
  return { citizens, totalBytes: total, bytesPerCitizen: round(total / citizens, 1), ...groups };
}

async function counts(sql) {
  const [row] =
    await sql`select (select count(*) from subjects)::int as citizens, (select count(*) from consents where status = 'ACTIVE')::int as active_consents,
    (select count(*) from access_events)::int as events`;
  return { citizens: row.citizens, activeConsents: row.active_consents, events: row.events };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the read's one statement, exactly as PgReadSource sends it (its
 * tagged template captured, not copied), for consents of the sample before they are read.
 */
async function explainRead(sql, consentIds) {
  let captured;
  const source = new PgReadSource((strings, ...values) => {
    captured = { strings, values };
    return Promise.resolve([]);
  });
  const at = new Date().toISOString();
  const periods = { day: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, at), month: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'MONTH' }, at) };
  const runs = [];
  let plan;
  for (const id of consentIds) {
    await source.load(id, periods);
    if (!captured || captured.values.some((v) => typeof v === 'object' && v !== null)) return { unavailable: 'the read is no longer one plain statement' };
    const text = captured.strings.reduce((acc, s, i) => `${acc}$${i}${s}`);
    const [row] = await sql.unsafe(`explain (analyze, buffers, format json) ${text}`, captured.values);
    const [{ Plan: top, 'Execution Time': executionMs, 'Planning Time': planningMs }] = row['QUERY PLAN'];
    runs.push({ executionMs, planningMs, hit: top['Shared Hit Blocks'], read: top['Shared Read Blocks'] });
    if (!plan) plan = (await sql.unsafe(`explain (analyze, buffers) ${text}`, captured.values)).map((r) => r['QUERY PLAN']);
  }
  const mean = (key) => round(runs.reduce((s, r) => s + r[key], 0) / runs.length, 3);
  const sorted = runs.map((r) => r.executionMs).sort((a, b) => a - b);
  return {
    statements: runs.length,
    executionMs: { mean: mean('executionMs'), max: round(sorted.at(-1), 3) },
    planningMs: mean('planningMs'),
    sharedBlocks: { hit: mean('hit'), read: mean('read') },
    firstPlan: plan,
  };
}

/**
 * Grows the vault from its citizens to `target`: `staged` sealed citizens (already in the staging
 * tables) plus copies of them under new ids, all inserted in one random order. Foreign keys are not
 * re-checked row by row (the rows are consistent by construction), when the bench may skip that.
 */
async function grow(sql, target) {
  const [{ citizens }] = await sql`select count(*)::int as citizens from subjects`;
  const [{ staged }] = await sql`select count(*)::int as staged from growth_subjects`;
  const fill = Math.max(0, target - citizens - staged);
  const [{ rolsuper }] = await sql`select rolsuper from pg_roles where rolname = current_user`;
  const seconds = {};
  await sql.begin(async (tx) => {
    await tx`set local work_mem = '256MB'`;
    if (rolsuper) await tx`set local session_replication_role = replica`;
    await tx`create unlogged table growth_templates as select id, (row_number() over (order by id) - 1)::int as i from growth_subjects`;
    // Each citizen: its subject id, whose sealed rows it copies, and its place in the insertion order.
    await tx`create unlogged table growth_citizens as
      select id as subject_id, id as template, true as sealed, random() as k from growth_subjects
      union all
      select gen_random_uuid(), t.id, false, random() from generate_series(0, ${fill - 1}::int) n join growth_templates t on t.i = n % ${staged}::int`;
    const newId = (column) => `case when g.sealed then t.${column} else md5(g.subject_id::text || t.${column}::text)::uuid end`;
    const copy = async (table, from, overrides, order) => {
      const columns = (
        await tx`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`
      ).map((r) => r.column_name);
      const list = columns.map((c) => `"${c}"`).join(', ');
      const select = columns.map((c) => overrides[c] ?? `t."${c}"`).join(', ');
      const started = performance.now();
      await tx.unsafe(`insert into ${table} (${list}) select ${select} from ${from} order by ${order}`);
      seconds[table] = round((performance.now() - started) / 1000, 1);
    };
    await copy(
      'subjects',
      `growth_citizens g join ${STAGED.subjects} t on t.id = g.template`,
      { id: 'g.subject_id', national_id_index: 'case when g.sealed then t.national_id_index else sha256(uuid_send(g.subject_id)) end' },
      'g.k',
    );
    await copy(
      'records',
      `growth_citizens g join ${STAGED.records} t on t.subject_id = g.template`,
      { id: newId('id'), subject_id: 'g.subject_id' },
      'g.k, t.category',
    );
    await copy(
      'record_versions',
      `growth_citizens g join ${STAGED.records} r on r.subject_id = g.template join ${STAGED.versions} t on t.record_id = r.id`,
      { record_id: newId('record_id') },
      'g.k, r.category',
    );
    await copy(
      'consents',
      `growth_citizens g join ${STAGED.consents} t on t.subject_id = g.template`,
      {
        id: newId('id'),
        subject_id: 'g.subject_id',
        artefact: `case when g.sealed then t.artefact else t.artefact || jsonb_build_object('id', ${newId('id')}, 'subjectId', g.subject_id) end`,
      },
      'g.k',
    );
    for (const table of ['growth_citizens', 'growth_templates', ...Object.values(STAGED)]) await tx.unsafe(`drop table ${table}`);
  });
  return { fromCitizens: citizens, sealed: staged, copies: fill, foreignKeysCheckedPerRow: !rolsuper, secondsPerTable: seconds };
}

function ratios(small, large) {
  const throughput = round(small.requestsPerSecond / large.requestsPerSecond, 3);
  const p99 = round(large.latencyMs.p99 / small.latencyMs.p99, 3);
  return {
    throughputSlowdown: throughput,
    p99Growth: p99,
    p50Growth: round(large.latencyMs.p50 / small.latencyMs.p50, 3),
    ...(small.stackCpuMsPerRequest && large.stackCpuMsPerRequest
      ? { cpuPerRequestGrowth: round(large.stackCpuMsPerRequest / small.stackCpuMsPerRequest, 3) }
      : {}),
    goal: { maxRatio: GOAL.maxRatio, met: throughput <= GOAL.maxRatio && p99 <= GOAL.maxRatio },
  };
}

function printBytes(label, bytes) {
  const mb = (b) => (b / 1048576).toFixed(1);
  const lines = [
    `bench: bytes stored ${label} (${bytes.citizens} citizens)`,
    '  group / table              rows       table MB  index MB  total MB  bytes/citizen',
  ];
  for (const group of Object.keys(GROUPS)) {
    const g = bytes[group];
    for (const [name, t] of Object.entries(g.tables)) {
      lines.push(
        `  ${(group + ' / ' + name).padEnd(26)} ${String(t.rows).padStart(9)} ${mb(t.tableBytes).padStart(10)} ${mb(t.indexBytes).padStart(9)} ${mb(t.totalBytes).padStart(9)} ${(t.totalBytes / bytes.citizens).toFixed(1).padStart(14)}`,
      );
    }
    lines.push(
      `  ${(group + ' (all)').padEnd(26)} ${''.padStart(9)} ${''.padStart(10)} ${''.padStart(9)} ${mb(g.totalBytes).padStart(9)} ${String(g.bytesPerCitizen).padStart(14)}` +
        (g.bytesPerAccessEvent ? `   (${g.bytesPerAccessEvent} bytes per access event, ${g.accessEvents} events)` : ''),
    );
  }
  lines.push(`  ${'all'.padEnd(26)} ${''.padStart(31)} ${mb(bytes.totalBytes).padStart(9)} ${String(bytes.bytesPerCitizen).padStart(14)}`);
  console.error(lines.join('\n'));
}

async function main() {
  // The baseline of the same run: bare Express behind one JWT verification
  const bare = spawnChild(process.execPath, [resolve(import.meta.dirname, 'bare-express.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port: barePort, token: bareToken } = JSON.parse(await firstLine(bare));
  const loadBeforeBaseline = loadAverage();
  const baselineJwt = await load(`http://127.0.0.1:${barePort}/jwt`, { authorization: `Bearer ${bareToken}` });
  bare.kill('SIGTERM');

  const kek = randomBytes(32);
  const indexKey = randomBytes(32);
  const stack = await startStackProcess('growth', { CV_KEK: kek.toString('base64'), CV_INDEX_KEY: indexKey.toString('base64') });
  const { organization } = stack;
  const custodian = await organization(['custodian']);
  const bank = await organization(['consumer']);
  // The hot consent, made through the API: the warm-up before each measurement reads it, so that
  // neither size is measured with a cold JIT, and neither warms the rows it then samples.
  const hotPath = `/v1/consents/${await hotConsent(stack, custodian, bank)}/data`;
  const auth = { authorization: `Bearer ${bank.token}` };
  const orgs = { custodianOrgId: custodian.id, consumerOrgId: bank.id, kek, indexKey };

  // The bench's own connection: no statement timeout (the API's is 20 s)
  const sql = postgres(`postgres://vault:vault-local@127.0.0.1:${stack.pgPort}/citizen_vault`, { max: 2, onnotice: () => {} });
  const checkRead = async (id) => {
    const body = await (await fetch(`${stack.base}/v1/consents/${id}/data`, { headers: auth })).json();
    if (!body.fields?.['residence.province']) throw new Error(`a seeded consent does not read: ${JSON.stringify(body)}`);
  };

  // 10k citizens
  let started = performance.now();
  const smallIds = await seedConsentedCitizens(sql, { count: SMALL - 1, ...orgs }); // with the hot consent's citizen, SMALL
  const smallSeedSeconds = round((performance.now() - started) / 1000, 1);
  const smallCounts = await counts(sql);
  const bytesSmall = await storedBytes(sql, smallCounts);
  printBytes('after seeding, small', bytesSmall);
  // Yesterday's use counters, as a day of use leaves them: at 10k as at 1M, the counter's table is not
  // empty when the reads are planned (the growth step then adds none, so they cost 10k rows at 1M).
  const yesterday = usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, new Date(Date.now() - 86400_000).toISOString());
  await sql`insert into consent_usage (consent_id, period, uses) select id, ${yesterday}, 1 from consents where id = any(${smallIds}::uuid[])`;
  const smallSample = shuffle(smallIds).slice(0, SAMPLE);
  const explainSmall = await explainRead(sql, smallSample.slice(0, EXPLAINED));
  await checkRead(smallSample[0]);
  const small = await measureReads(
    stack,
    sql,
    auth,
    hotPath,
    smallSample.map((id) => `/v1/consents/${id}/data`),
  );
  console.error(`bench: ${smallCounts.citizens} citizens: ${small.requestsPerSecond}/s, p50 ${small.latencyMs.p50} ms, p99 ${small.latencyMs.p99} ms`);

  // 1M citizens: the sample's share of the first 10k stays, the rest of it is sealed into staging and spread among copies
  const fromSmall = Math.round((SAMPLE * SMALL) / LARGE);
  const staged = SAMPLE - fromSmall;
  for (const [key, table] of Object.entries(STAGED)) {
    const source = { subjects: 'subjects', records: 'records', versions: 'record_versions', consents: 'consents' }[key];
    await sql.unsafe(`create unlogged table ${table} (like ${source} including defaults)`);
  }
  started = performance.now();
  const stagedIds = await seedConsentedCitizens(sql, { count: staged, ...orgs, nationalIdBase: 300_000_000_000, tables: STAGED });
  const sealSeconds = round((performance.now() - started) / 1000, 1);
  started = performance.now();
  const growth = await grow(sql, LARGE);
  const growSeconds = round((performance.now() - started) / 1000, 1);
  for (const statement of AFTER_GROWTH_SQL.split(';').filter((x) => x.trim())) await sql.unsafe(statement);
  const largeCounts = await counts(sql);
  started = performance.now();
  const bytesLarge = await storedBytes(sql, largeCounts);
  const vacuumSeconds = round((performance.now() - started) / 1000, 1);
  printBytes('after growing, large', bytesLarge);
  const largeSample = shuffle([...shuffle(smallIds).slice(0, fromSmall), ...stagedIds]);
  const explainLarge = await explainRead(sql, largeSample.slice(0, EXPLAINED));
  await checkRead(largeSample[0]);
  const large = await measureReads(
    stack,
    sql,
    auth,
    hotPath,
    largeSample.map((id) => `/v1/consents/${id}/data`),
  );
  console.error(`bench: ${largeCounts.citizens} citizens: ${large.requestsPerSecond}/s, p50 ${large.latencyMs.p50} ms, p99 ${large.latencyMs.p99} ms`);

  // The access log after a known number of reads
  const finalCounts = await counts(sql);
  const bytesAfterReads = await storedBytes(sql, finalCounts);
  printBytes('after the reads', bytesAfterReads);
  const [settings] =
    await sql`select current_setting('shared_buffers') as shared_buffers, pg_size_pretty(pg_database_size(current_database())) as database_size, version() as version`;
  await sql.end();
  await stack.stop();

  const versusBaseline = (reads) => round(reads.requestsPerSecond / baselineJwt.requestsPerSecond, 3);
  return {
    benchmark: 'Cost growth: consented reads at 10k and at 1M citizens and consents, and the bytes each citizen costs',
    node: process.version,
    postgres: { sharedBuffers: settings.shared_buffers, databaseSize: settings.database_size, version: settings.version.split(' on ')[0] },
    baseline: { bareExpressJwt: { ...baselineJwt, loadAverageBefore: loadBeforeBaseline } },
    reads: {
      sample: SAMPLE,
      small: { ...smallCounts, seedSeconds: smallSeedSeconds, ...small, ratioToBareJwt: versusBaseline(small), readStatement: explainSmall },
      large: {
        ...largeCounts,
        sampledFromFirst: fromSmall,
        sealSeconds,
        growSeconds,
        vacuumAnalyzeSeconds: vacuumSeconds,
        growth,
        ...(AFTER_GROWTH_SQL ? { afterGrowthSql: AFTER_GROWTH_SQL } : {}),
        ...large,
        ratioToBareJwt: versusBaseline(large),
        readStatement: explainLarge,
      },
      largeVersusSmall: ratios(small, large),
    },
    storedBytes: { afterSeedingSmall: bytesSmall, afterGrowing: bytesLarge, afterReads: bytesAfterReads },
    goals: [
      (() => {
        const r = ratios(small, large);
        return {
          goal: `cost growth: consented reads at ${largeCounts.citizens} citizens within ${GOAL.maxRatio}x of ${smallCounts.citizens} (throughput and p99)`,
          measured: `throughput ${r.throughputSlowdown}x slower, p99 ${r.p99Growth}x, CPU per read ${r.cpuPerRequestGrowth ?? '?'}x; ${bytesLarge.bytesPerCitizen} bytes per citizen`,
          baseline: `${small.requestsPerSecond}/s, p99 ${small.latencyMs.p99} ms at ${smallCounts.citizens}; bare Express + JWT ${baselineJwt.requestsPerSecond}/s`,
          met: r.goal.met,
        };
      })(),
    ],
  };
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
