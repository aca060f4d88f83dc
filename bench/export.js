// Export benchmark (issue 15): how long a citizen's export takes to generate and download when the
// citizen has BENCH_EXPORT_EVENTS (default 10,000) access events. The whole stack as `npm start`
// runs it; the events are real consented reads through the API (so each is a leaf of the log); the
// EXPORT request is carried out by the API's own worker; then the download is timed, JSON and HTML,
// BENCH_EXPORT_RUNS times each (every download generates the bundle again from the vault, with an
// inclusion proof per event). `BENCH_ONLY=export.js npm run bench`, or `node bench/export.js` after a build.
import { performance } from 'node:perf_hooks';
import { startStackProcess } from './stack.js';
import { percentiles, round } from './stats.js';

const EVENTS = Number(process.env.BENCH_EXPORT_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 5);
const CONCURRENCY = 16;
const NATIONAL_ID = '001099012345';
const log = (m) => console.error(`bench export: ${m}`);

const stack = await startStackProcess('export');
try {
  const custodian = await stack.organization(['custodian']);
  const consumer = await stack.organization(['consumer']);
  const citizen = await stack.devToken({ role: 'citizen', nationalId: NATIONAL_ID });
  await stack.post('/v1/records', custodian.token, {
    subject: { nationalId: NATIONAL_ID },
    category: 'residence',
    fields: { province: 'Hà Nội', streetAddress: '12 Phố Huế' },
  });
  const consent = await stack.post('/v1/consents', consumer.token, {
    subject: { nationalId: NATIONAL_ID },
    purpose: 'credit_scoring',
    fields: ['residence.province'],
    mode: 'PERIODIC',
    frequency: { limit: 100_000, per: 'DAY' },
    validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    retentionDays: 30,
    justification: 'Benchmark of the export of a citizen with many reads',
  });
  await stack.post(`/v1/consents/${consent.id}/approve`, citizen, {});

  log(`seeding ${EVENTS} consented reads`);
  const seedStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < EVENTS) {
        next++;
        const res = await fetch(`${stack.base}/v1/consents/${consent.id}/data`, { headers: { authorization: `Bearer ${consumer.token}` } });
        if (!res.ok) throw new Error(`read: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const seedSeconds = (performance.now() - seedStart) / 1000;
  log(`seeded in ${round(seedSeconds, 1)} s`);

  // Wait for a signed tree head over every read, so the export's snapshot holds them all.
  const logSize = async () => (await (await fetch(`${stack.base}/v1/log/sth`)).json()).treeSize;
  const want = EVENTS + 2; // the reads, the deposit and the approval
  for (let i = 0; (await logSize()) < want; i++) {
    if (i > 300) throw new Error('no signed tree head over the seeded reads');
    await new Promise((r) => setTimeout(r, 100));
  }
  const filedAt = performance.now();
  const request = await stack.post('/v1/me/rights-requests', citizen, { kind: 'EXPORT' });
  for (let i = 0; ; i++) {
    const state = (await (await fetch(`${stack.base}/v1/me/rights-requests/${request.id}`, { headers: { authorization: `Bearer ${citizen}` } })).json()).state;
    if (state === 'COMPLETED') break;
    if (i > 600) throw new Error(`the export request is still ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const completedSeconds = (performance.now() - filedAt) / 1000;

  const download = async (format) => {
    const samples = [];
    let bytes = 0;
    let events = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const res = await fetch(`${stack.base}/v1/me/rights-requests/${request.id}/export?format=${format}`, { headers: { authorization: `Bearer ${citizen}` } });
      const body = await res.text();
      samples.push(performance.now() - t);
      if (!res.ok) throw new Error(`export ${format}: ${res.status} ${body.slice(0, 200)}`);
      bytes = Buffer.byteLength(body);
      if (format === 'json') events = JSON.parse(body).totals.accessEvents;
    }
    return { ms: percentiles(samples), bytes, ...(format === 'json' ? { accessEvents: events } : {}) };
  };
  const json = await download('json');
  const html = await download('html');
  if (json.accessEvents !== EVENTS) throw new Error(`the export holds ${json.accessEvents} access events, not ${EVENTS}`);
  console.log(
    JSON.stringify(
      {
        benchmark: 'export',
        node: process.version,
        accessEvents: EVENTS,
        seedReadsPerSecond: round(EVENTS / seedSeconds, 0),
        fileToCompletedSeconds: round(completedSeconds, 2),
        downloadJson: json,
        downloadHtml: html,
      },
      null,
      2,
    ),
  );
} finally {
  await stack.stop();
}
