// `npm run bench`: every benchmark under the running Node, then again under Node 24 when the npm
// registry can provide it (Express and V8 differ a lot between the two), results side by side.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const BENCHMARKS = (process.env.BENCH_ONLY ?? 'devnet.js,fabric.js,api.js,growth.js,audit.js,exchange.js').split(',');
const here = import.meta.dirname;
const outDir = resolve(here, 'results');
mkdirSync(outDir, { recursive: true });

function run(nodeCommand, label) {
  const reports = [];
  for (const file of BENCHMARKS) {
    console.error(`bench: ${file} on ${label}`);
    const res = spawnSync(nodeCommand[0], [...nodeCommand.slice(1), resolve(here, file)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.status !== 0) throw new Error(`${file} failed on ${label}`);
    reports.push(JSON.parse(res.stdout));
  }
  return reports;
}

const all = { [process.version]: run([process.execPath], process.version) };
if (!process.version.startsWith('v24') && process.env.BENCH_SKIP_NODE24 !== '1') {
  try {
    const version = execFileSync('npx', ['--yes', 'node@24', '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    all[version] = run(['npx', '--yes', 'node@24'], version);
  } catch (err) {
    console.error(`bench: Node 24 not available here (${err.message}); reported ${process.version} only`);
  }
}
// Each goal beside its baseline, per Node version (benchmarks list theirs under `goals`).
for (const [version, reports] of Object.entries(all)) {
  console.error(`\nbench: goals on Node ${version}`);
  for (const g of reports.flatMap((r) => r.goals ?? []))
    console.error(`  ${g.met ? 'met    ' : 'NOT met'}  ${g.goal}\n           measured: ${g.measured}\n           baseline: ${g.baseline}`);
}
const file = resolve(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(all, null, 2));
console.log(JSON.stringify(all, null, 2));
console.error(`bench: results written to ${file}`);
