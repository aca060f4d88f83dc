// API benchmark: consented reads per second and latency at 50 concurrent connections against the
// whole stack (API, embedded Postgres, devnet) — over 10,000 distinct ACTIVE consents of 10,000
// citizens (JSON and JWE), and the single hot consent separately — beside a bare Express JSON
// endpoint doing one JWT verification, measured in the same run; and consent approvals committed
// per second (each one a ledger transaction).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { round } from './stats.js';
import { spawnChild, startStackProcess } from './stack.js';
import { hotConsent, measureApprovals } from './approvals.js';
import { seedConsentedCitizens } from './seed-reads.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 200);
const CITIZENS = Number(process.env.BENCH_READ_CITIZENS ?? 10_000);
/** The goals of issue 16 for consented reads and consent decisions. */
const GOAL = { ratioToBareJwt: 0.5, p99Ms: 25 };
const DECISIONS_GOAL = { committedPerSecond: 200, p50Ms: 150 };

async function firstLine(child) {
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
  });
}

/**
 * Autocannon at 50 connections; with several paths, each request takes the next one, round robin.
 * With `cpu`, also the CPU milliseconds the stack (API and Postgres) spent per answered request.
 */
async function load(url, headers = {}, paths = undefined, cpu = undefined) {
  let next = 0;
  const requests = paths ? [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }] : undefined;
  const cpuBefore = cpu?.total();
  const apiCpuBefore = cpu?.api();
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, ...(requests ? { requests } : {}) });
  const cpuAfter = cpu?.total();
  const apiCpuAfter = cpu?.api();
  const perRequest = (before, after) => round(((after - before) * 1000) / Math.max(1, result.requests.total), 2);
  return {
    requestsPerSecond: round(result.requests.average, 0),
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? {
          stackCpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
          // The split: the API's own process (with the embedded devnet, idle while reading), and its Postgres (every backend, the WAL writer, …).
          apiCpuMsPerRequest: perRequest(apiCpuBefore, apiCpuAfter),
          postgresCpuMsPerRequest: perRequest(cpuBefore - apiCpuBefore, cpuAfter - apiCpuAfter),
        }
      : {}),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function againstGoal(reads, bareJwt) {
  const ratio = round(reads.requestsPerSecond / bareJwt.requestsPerSecond, 3);
  return {
    ...reads,
    ratioToBareJwt: ratio,
    goal: { ratio: GOAL.ratioToBareJwt, p99Ms: GOAL.p99Ms, met: ratio >= GOAL.ratioToBareJwt && reads.latencyMs.p99 <= GOAL.p99Ms },
  };
}

async function main() {
  // Baselines: bare JSON, and bare JSON behind one JWT verification
  const bare = spawnChild(process.execPath, [resolve(import.meta.dirname, 'bare-express.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port: barePort, token: bareToken } = JSON.parse(await firstLine(bare));
  const baseline = await load(`http://127.0.0.1:${barePort}/json`);
  const baselineJwt = await load(`http://127.0.0.1:${barePort}/jwt`, { authorization: `Bearer ${bareToken}` });
  bare.kill('SIGTERM');

  // The whole stack, as `npm start` runs it, in its own process; the vault keys given, so the harness can seal as the vault does
  const kek = randomBytes(32);
  const indexKey = randomBytes(32);
  const stack = await startStackProcess('api', { CV_KEK: kek.toString('base64'), CV_INDEX_KEY: indexKey.toString('base64') });
  const { base, pgPort } = stack;

  const { organization } = stack;
  const custodian = await organization(['custodian']);
  const bank = await organization(['consumer']);
  const consent = { id: await hotConsent(stack, custodian, bank) };

  const sql = postgres(`postgres://vault:vault-local@127.0.0.1:${pgPort}/citizen_vault`, { max: 4, onnotice: () => {} });
  const seeded = performance.now();
  const consentIds = await seedConsentedCitizens(sql, { count: CITIZENS, kek, indexKey, custodianOrgId: custodian.id, consumerOrgId: bank.id });
  const seedSeconds = round((performance.now() - seeded) / 1000, 1);
  const paths = consentIds.map((id) => `/v1/consents/${id}/data`);
  const auth = { authorization: `Bearer ${bank.token}` };
  // One read of each, to check the seeding answers what the API would (and is not measured).
  const sample = await (await fetch(`${base}${paths[0]}`, { headers: auth })).json();
  if (!sample.fields?.['residence.province']) throw new Error(`a seeded consent does not read: ${JSON.stringify(sample)}`);

  const cpu = { total: stack.cpuSeconds, api: stack.apiCpuSeconds };
  const distinct = await load(base, auth, paths, cpu);
  const distinctJwe = await load(base, { ...auth, accept: 'application/jose' }, paths, cpu);
  const hot = await load(`${base}/v1/consents/${consent.id}/data`, auth, undefined, cpu);
  const [events] = await sql`select count(*)::int as n from access_events where outcome = 'GRANTED'`;
  await sql.end();

  const approvals = await measureApprovals(stack, bank, APPROVALS);

  await stack.stop();
  const reads = (name, r) => ({
    goal: `consented reads, ${name}: >= ${GOAL.ratioToBareJwt} of bare Express with one JWT verification, p99 <= ${GOAL.p99Ms} ms`,
    measured: `${r.requestsPerSecond}/s, p99 ${r.latencyMs.p99} ms, ratio ${round(r.requestsPerSecond / baselineJwt.requestsPerSecond, 3)}`,
    baseline: `bare Express + JWT ${baselineJwt.requestsPerSecond}/s`,
    met: r.requestsPerSecond / baselineJwt.requestsPerSecond >= GOAL.ratioToBareJwt && r.latencyMs.p99 <= GOAL.p99Ms,
  });
  return {
    benchmark: 'API: consented reads and consent approvals on the whole stack',
    node: process.version,
    baseline: { bareExpressJson: baseline, bareExpressJwt: baselineJwt },
    consentedReads: {
      citizens: CITIZENS,
      seedSeconds,
      distinctConsentsJson: againstGoal(distinct, baselineJwt),
      distinctConsentsJwe: againstGoal(distinctJwe, baselineJwt),
      hotConsent: { ...againstGoal(hot, baselineJwt), ratioToBareExpress: round(hot.requestsPerSecond / baseline.requestsPerSecond, 3) },
      grantedEventsRecorded: events.n,
    },
    approvals: {
      ...approvals,
      goal: { ...DECISIONS_GOAL, met: approvals.committedPerSecond >= DECISIONS_GOAL.committedPerSecond && approvals.latencyMs.p50 <= DECISIONS_GOAL.p50Ms },
    },
    goals: [
      reads('10,000 distinct consents, JSON', distinct),
      reads('10,000 distinct consents, JWE', distinctJwe),
      reads('the single hot consent (reported apart)', hot),
      {
        goal: `consent decisions: >= ${DECISIONS_GOAL.committedPerSecond} committed/s, p50 <= ${DECISIONS_GOAL.p50Ms} ms`,
        measured: `${approvals.committedPerSecond}/s, p50 ${approvals.latencyMs.p50} ms, ${approvals.stackCpuMsPerApproval ?? '?'} ms of stack CPU each`,
        baseline: 'none (each is a ledger transaction and its commit)',
        met: approvals.committedPerSecond >= DECISIONS_GOAL.committedPerSecond && approvals.latencyMs.p50 <= DECISIONS_GOAL.p50Ms,
      },
    ],
  };
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
