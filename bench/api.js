// API benchmark: consented reads per second and latency at 50 concurrent connections against the
// whole stack (API, embedded Postgres, devnet), beside a bare Express JSON endpoint measured in the
// same run; and consent approvals committed per second (each one a ledger transaction).
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { round } from './stats.js';
import { spawnChild, startStackProcess } from './stack.js';
import { consentRequest, measureApprovals } from './approvals.js';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 200);

async function firstLine(child) {
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
  });
}

async function load(url, headers = {}) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return {
    requestsPerSecond: round(result.requests.average, 0),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main() {
  // Baseline
  const bare = spawnChild(process.execPath, [resolve(import.meta.dirname, 'bare-express.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { port: barePort } = JSON.parse(await firstLine(bare));
  const baseline = await load(`http://127.0.0.1:${barePort}/json`);
  bare.kill('SIGTERM');

  // The whole stack, as `npm start` runs it, in its own process
  const stack = await startStackProcess('api');
  const { base } = stack;

  const { post, devToken, organization } = stack;
  const custodian = await organization(['custodian']);
  const bank = await organization(['consumer']);
  const nationalId = '001099012345';
  await post('/v1/records', custodian.token, {
    subject: { nationalId },
    category: 'residence',
    fields: { province: 'Hà Nội', ward: 'Hàng Bài', streetAddress: '12 Phố Huế' },
  });
  await post('/v1/records', custodian.token, { subject: { nationalId }, category: 'health_insurance', fields: { status: 'ACTIVE', coverageLevel: '4' } });
  const consent = await post('/v1/consents', bank.token, { ...consentRequest(0), subject: { nationalId } });
  const citizen = await devToken({ role: 'citizen', nationalId });
  await post(`/v1/consents/${consent.id}/approve`, citizen, {});

  const reads = await load(`${base}/v1/consents/${consent.id}/data`, { authorization: `Bearer ${bank.token}` });

  const approvals = await measureApprovals(stack, bank, APPROVALS);

  await stack.stop();
  return {
    benchmark: 'API: consented reads and consent approvals on the whole stack',
    node: process.version,
    baseline: { bareExpressJson: baseline },
    consentedReads: { ...reads, ratioToBareExpress: round(reads.requestsPerSecond / baseline.requestsPerSecond, 3) },
    approvals,
  };
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
