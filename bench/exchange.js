// Exchange benchmark: metered aggregate queries per second over 100 000 citizens, on the whole
// stack (API, embedded Postgres, devnet) — each query licence-checked, computed from the
// statistics projection with cohort suppression, billed once in its own transaction and given its
// access-log leaf — beside the same SQL aggregate run directly on the same Postgres at the same
// concurrency, measured in the same run. Then consented product reads: one record each of 2,000
// citizens, metered per record under a CONSENTED product's licence, beside the same consented read
// unmetered (`GET /v1/consents/{id}/data`) over the same consents, in the same run.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { percentiles, round } from './stats.js';
import { startStackProcess } from './stack.js';
import { seedConsentedCitizens } from './seed-reads.js';

const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 100_000);
const CONNECTIONS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const READ_CITIZENS = Number(process.env.BENCH_EXCHANGE_READ_CITIZENS ?? 2_000);
const PROVINCES = [
  'Hà Nội',
  'Thành phố Hồ Chí Minh',
  'Hải Phòng',
  'Đà Nẵng',
  'Cần Thơ',
  'Thừa Thiên Huế',
  'Quảng Ninh',
  'Nghệ An',
  'Thanh Hóa',
  'Đồng Nai',
  'Bình Dương',
  'Khánh Hòa',
  'Lâm Đồng',
  'An Giang',
  'Bắc Ninh',
  'Thái Nguyên',
  'Nam Định',
  'Quảng Nam',
  'Đắk Lắk',
  'Kiên Giang',
];

/** The statement PgStatistics runs for `groupBy: ['province', 'ageBand']`, for the direct baseline. */
const aggregate = (sql, year) => sql`
  select sum(n)::bigint as count, nullif(province, '') as d0,
    case when birth_year = 0 then null
      when ${year}::int - birth_year < 18 then '0-17' when ${year}::int - birth_year < 25 then '18-24'
      when ${year}::int - birth_year < 35 then '25-34' when ${year}::int - birth_year < 45 then '35-44'
      when ${year}::int - birth_year < 55 then '45-54' when ${year}::int - birth_year < 65 then '55-64' else '65+' end as d1
  from statistics_cube where n > 0 group by 2, 3 having sum(n) > 0`;

async function direct(sql, cpu) {
  const year = new Date().getUTCFullYear();
  const before = cpu();
  const latencies = [];
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await aggregate(sql, year);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const after = cpu();
  const p = percentiles(latencies);
  return {
    queriesPerSecond: round(latencies.length / SECONDS, 0),
    latencyMs: { p50: p.p50, p99: p.p99 },
    ...(before && after ? { postgresCpuMsPerQuery: round(((after.postgres - before.postgres) * 1000) / Math.max(1, latencies.length), 2) } : {}),
  };
}

/** CPU seconds so far of the API's own process and of its Postgres (every backend, the WAL writer, …). */
function cpuOf(stack) {
  return () => {
    const total = stack.cpuSeconds();
    const api = stack.apiCpuSeconds();
    return total === undefined || api === undefined ? undefined : { api, postgres: total - api };
  };
}

/** Autocannon at CONNECTIONS for SECONDS; with several paths each request takes the next, round robin; with the stack's CPU per answered request. */
async function load(cpu, options, paths) {
  let next = 0;
  const requests = paths ? [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }] : undefined;
  const before = cpu();
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options, ...(requests ? { requests } : {}) });
  const after = cpu();
  const per = (k) => round(((after[k] - before[k]) * 1000) / Math.max(1, result.requests.total), 2);
  return {
    result,
    summary: {
      requestsPerSecond: round(result.requests.average, 0),
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
      ...(before && after ? { cpuMsPerRequest: { api: per('api'), postgres: per('postgres'), total: round(per('api') + per('postgres'), 2) } } : {}),
      non2xx: result.non2xx,
      errors: result.errors,
    },
  };
}

async function main() {
  // The vault keys given, so the harness can seal the consented reads' records as the vault does.
  const kek = randomBytes(32);
  const indexKey = randomBytes(32);
  const stack = await startStackProcess('exchange', { CV_KEK: kek.toString('base64'), CV_INDEX_KEY: indexKey.toString('base64') });
  const cpu = cpuOf(stack);
  const { base, pgPort } = stack;

  // 100 000 citizens in the statistics projection, as deposits would have left it (seeding them
  // through the API would be 300 000 ledger transactions, which is not what this measures).
  const sql = postgres(`postgres://vault:vault-local@127.0.0.1:${pgPort}/citizen_vault`, { max: CONNECTIONS, onnotice: () => {} });
  const seeded = performance.now();
  await sql`
    with s as (
      insert into subjects (id, national_id_index) select gen_random_uuid(), sha256(convert_to('bench-' || i, 'UTF8')) from generate_series(1, ${CITIZENS}::int) i returning id
    )
    insert into statistics_profiles (subject_id, province, birth_year, sex, insurance_status, opted_out)
    select id, (${PROVINCES}::text[])[1 + floor(random() * ${PROVINCES.length})::int], 1940 + floor(random() * 85)::int,
           case when random() < 0.5 then 'male' else 'female' end, case when random() < 0.9 then 'ACTIVE' else 'EXPIRED' end, random() < 0.02
    from s`;
  await sql`analyze statistics_profiles`;
  await sql`analyze statistics_cube`;
  const seedSeconds = round((performance.now() - seeded) / 1000, 1);

  const { post, operator, organization } = stack;
  const provider = await organization(['provider']);
  const buyer = await organization(['consumer']);
  const draft = await post('/v1/products', provider.token, {
    title: { vi: 'Dân số theo tỉnh và nhóm tuổi', en: 'Population by province and age band' },
    description: { vi: 'Thống kê có bảo vệ quyền riêng tư.', en: 'Privacy-protected statistics.' },
    kind: 'AGGREGATE',
    outputSchema: { type: 'object' },
    terms: {
      permittedPurposes: ['academic_research'],
      durationDays: 30,
      prohibitedActions: ['re_identification', 'resale'],
      crossBorder: false,
      attribution: true,
      quota: null,
      minCohortSize: 10,
    },
    plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '500' }],
    aggregate: { dimensions: ['province', 'ageBand', 'sex', 'insuranceStatus'] },
  });
  await post(`/v1/products/${draft.id}/submit`, provider.token);
  const product = await post(`/v1/products/${draft.id}/approve`, operator);
  const licence = await post('/v1/licences', buyer.token, {
    productId: product.id,
    planId: 'per-query',
    purpose: 'academic_research',
    acceptTerms: product.termsHash,
  });

  const baseline = await direct(sql, cpu);
  const { result, summary } = await load(cpu, {
    url: `${base}/v1/products/${product.id}/query`,
    method: 'POST',
    headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ licenceId: licence.id, groupBy: ['province', 'ageBand'] }),
  });
  await new Promise((r) => setTimeout(r, 1_000)); // let the requests cut off at the end finish
  const [billed] =
    await sql`select count(*)::int as n, count(leaf_index)::int as leaves, coalesce(sum(amount_dong), 0)::bigint as dong from metering_events where licence_id = ${licence.id}`;
  const sample = await post(`/v1/products/${product.id}/query`, buyer.token, { licenceId: licence.id, groupBy: ['province', 'ageBand'] });

  // BENCH_EXCHANGE_READS=0 leaves the consented reads out (e.g. to profile the aggregate queries alone).
  const reads = process.env.BENCH_EXCHANGE_READS === '0' ? undefined : await consentedReads(stack, sql, { kek, indexKey, provider, cpu });

  await sql.end();
  await stack.stop();
  return {
    benchmark: `Exchange: metered aggregate queries (province × age band) over ${CITIZENS} citizens, and consented product reads`,
    node: process.version,
    citizens: CITIZENS,
    seedSeconds,
    connections: CONNECTIONS,
    baseline: { directSqlAggregate: baseline },
    // Goal (issue 16): at least half the direct SQL aggregate's rate.
    meteredQueries: {
      queriesPerSecond: summary.requestsPerSecond,
      latencyMs: summary.latencyMs,
      // The CPU the stack spent per answered query (API process, Postgres): less distorted by a busy machine than throughput.
      ...(summary.cpuMsPerRequest ? { cpuMsPerQuery: summary.cpuMsPerRequest } : {}),
      non2xx: summary.non2xx,
      errors: summary.errors,
      ratioToDirectSql: round(summary.requestsPerSecond / baseline.queriesPerSecond, 3),
      goalRatio: 0.5,
    },
    // Requests still in flight when autocannon stopped were served and billed too, just not counted by it.
    billing: {
      answered2xx: result['2xx'],
      meteredEvents: billed.n,
      inFlightAtStop: billed.n - result['2xx'],
      withLeaf: billed.leaves,
      billedDong: String(billed.dong),
      cellsShown: sample.cells.length,
      cellsSuppressed: sample.suppressedCells,
    },
    consentedProductReads: reads,
    goals: [
      {
        goal: 'metered aggregate queries: >= 0.5 of the direct SQL aggregate',
        measured: `${summary.requestsPerSecond}/s, p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, ratio ${round(summary.requestsPerSecond / baseline.queriesPerSecond, 3)}`,
        baseline: `direct SQL aggregate ${baseline.queriesPerSecond}/s at the same concurrency`,
        met: summary.requestsPerSecond / baseline.queriesPerSecond >= 0.5,
      },
      ...(reads
        ? [
            {
              goal: 'consented product reads (metered per record): benchmarked beside the unmetered consented read',
              measured: `${reads.meteredReads.requestsPerSecond}/s, p99 ${reads.meteredReads.latencyMs.p99} ms, ratio ${reads.meteredReads.ratioToUnmetered}`,
              baseline: `unmetered consented read ${reads.baseline.unmeteredConsentedRead.requestsPerSecond}/s`,
              met: true,
            },
          ]
        : []),
    ],
  };
}

/**
 * Consented product reads: READ_CITIZENS citizens, each with an ACTIVE consent for the buyer, read
 * round robin through a CONSENTED product (metered per record, `GET /v1/products/{id}/records/{consentId}`)
 * and, as the baseline, through the consent itself unmetered (`GET /v1/consents/{id}/data`).
 */
async function consentedReads(stack, sql, { kek, indexKey, provider, cpu }) {
  const { base, post, operator, organization } = stack;
  const custodian = await organization(['custodian']);
  const buyer = await organization(['consumer']);
  const seeded = performance.now();
  const consentIds = await seedConsentedCitizens(sql, { count: READ_CITIZENS, kek, indexKey, custodianOrgId: custodian.id, consumerOrgId: buyer.id });
  const seedSeconds = round((performance.now() - seeded) / 1000, 1);
  const fields = ['residence.province', 'health_insurance.status'];
  const draft = await post('/v1/products', provider.token, {
    title: { vi: 'Xác minh nơi cư trú và bảo hiểm', en: 'Residence and insurance check' },
    description: { vi: 'Với sự đồng ý của công dân.', en: "With the citizen's consent." },
    kind: 'CONSENTED',
    outputSchema: { type: 'object' },
    terms: {
      permittedPurposes: ['credit_scoring'],
      durationDays: 30,
      prohibitedActions: ['re_identification', 'resale'],
      crossBorder: false,
      attribution: true,
      quota: null,
    },
    plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '1500' }],
    consented: { purpose: 'credit_scoring', fields },
  });
  await post(`/v1/products/${draft.id}/submit`, provider.token);
  const product = await post(`/v1/products/${draft.id}/approve`, operator);
  const licence = await post('/v1/licences', buyer.token, {
    productId: product.id,
    planId: 'per-record',
    purpose: 'credit_scoring',
    acceptTerms: product.termsHash,
  });
  const headers = { authorization: `Bearer ${buyer.token}` };
  const metered = consentIds.map((id) => `/v1/products/${product.id}/records/${id}?licenceId=${licence.id}`);
  const sample = await (await fetch(base + metered[0], { headers })).json();
  if (!sample.fields?.['residence.province'] || sample.metering?.amountDong !== '1500')
    throw new Error(`a consented product read failed: ${JSON.stringify(sample)}`);

  const direct = await load(
    cpu,
    { url: base, headers },
    consentIds.map((id) => `/v1/consents/${id}/data`),
  );
  const { result, summary } = await load(cpu, { url: base, headers }, metered);
  await new Promise((r) => setTimeout(r, 1_000));
  const [billed] =
    await sql`select count(*)::int as n, count(leaf_index)::int as leaves, count(distinct subject_id)::int as citizens from metering_events where licence_id = ${licence.id}`;
  return {
    citizens: READ_CITIZENS,
    seedSeconds,
    baseline: { unmeteredConsentedRead: direct.summary },
    meteredReads: { ...summary, ratioToUnmetered: round(summary.requestsPerSecond / direct.summary.requestsPerSecond, 3) },
    billing: { answered2xx: result['2xx'] + 1, meteredEvents: billed.n, withLeaf: billed.leaves, citizensRead: billed.citizens },
  };
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
