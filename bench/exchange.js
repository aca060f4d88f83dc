// Exchange benchmark: metered aggregate queries per second over 100 000 citizens, on the whole
// stack (API, embedded Postgres, devnet) — each query licence-checked, computed from the
// statistics projection with cohort suppression, billed once in its own transaction and given its
// access-log leaf — beside the same SQL aggregate run directly on the same Postgres at the same
// concurrency, measured in the same run.
import autocannon from 'autocannon';
import postgres from 'postgres';
import { percentiles, round } from './stats.js';
import { startStackProcess } from './stack.js';

const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 100_000);
const CONNECTIONS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
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

async function direct(sql) {
  const year = new Date().getUTCFullYear();
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
  const p = percentiles(latencies);
  return { queriesPerSecond: round(latencies.length / SECONDS, 0), latencyMs: { p50: p.p50, p99: p.p99 } };
}

async function main() {
  const stack = await startStackProcess('exchange');
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

  const baseline = await direct(sql);
  const cpuBefore = stack.cpuSeconds();
  const result = await autocannon({
    url: `${base}/v1/products/${product.id}/query`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ licenceId: licence.id, groupBy: ['province', 'ageBand'] }),
  });
  const cpuAfter = stack.cpuSeconds();
  await new Promise((r) => setTimeout(r, 1_000)); // let the requests cut off at the end finish
  const [billed] =
    await sql`select count(*)::int as n, count(leaf_index)::int as leaves, coalesce(sum(amount_dong), 0)::bigint as dong from metering_events where licence_id = ${licence.id}`;
  const sample = await post(`/v1/products/${product.id}/query`, buyer.token, { licenceId: licence.id, groupBy: ['province', 'ageBand'] });

  await sql.end();
  await stack.stop();
  const metered = {
    queriesPerSecond: round(result.requests.average, 0),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    // The CPU the stack (API and Postgres) spent per answered query: less distorted by a busy machine than throughput.
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? { stackCpuMsPerQuery: round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, result.requests.total), 2) }
      : {}),
    non2xx: result.non2xx,
    errors: result.errors,
  };
  return {
    benchmark: `Exchange: metered aggregate queries (province × age band) over ${CITIZENS} citizens`,
    node: process.version,
    citizens: CITIZENS,
    seedSeconds,
    connections: CONNECTIONS,
    baseline: { directSqlAggregate: baseline },
    // Goal (issue 16): at least half the direct SQL aggregate's rate.
    meteredQueries: { ...metered, ratioToDirectSql: round(metered.queriesPerSecond / baseline.queriesPerSecond, 3), goalRatio: 0.5 },
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
  };
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
