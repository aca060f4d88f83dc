// Real Fabric beside the devnet, in one run: the devnet's 32-client write workload against a real
// Fabric 2.5 network on this machine (3 Raft orderers, a peer per organisation, the chaincode as a
// service) and against the devnet, with the same policies; then the API's consent approvals on each
// ledger. Goals (issue 12): the devnet at least 2x real Fabric's committed tx/s; the API's approvals
// on Fabric within 30 % of the devnet's. Without Go (and no FABRIC_BIN) it reports why it skipped.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureFabric, fabricDown, fabricUp } from '@citizen-vault/network';
import { measureApprovals } from './approvals.js';
import { devnetTarget, ecdsaCeiling, runWorkload } from './ledger-workload.js';
import { round } from './stats.js';
import { startStackProcess } from './stack.js';

const ROOT = resolve(import.meta.dirname, '..');
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 200);
const BASE_PORT = Number(process.env.BENCH_FABRIC_PORT ?? 7500);
const POLICIES = { 'MAJORITY Endorsement': 'assets', 'ANY Endorsement': 'assets-any' };

async function pidsOf(dataDir) {
  const files = await readdir(join(dataDir, 'pids')).catch(() => []);
  return Promise.all(files.map(async (f) => Number((await readFile(join(dataDir, 'pids', f), 'utf8')).trim())));
}

async function main() {
  process.env.BENCH_KEY_PEM ??= (await import('node:crypto'))
    .generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' });
  let fabric;
  try {
    fabric = await ensureFabric({ binDir: process.env.FABRIC_BIN, configDir: process.env.FABRIC_CONFIG_DIR });
  } catch (err) {
    return { benchmark: 'real Fabric beside the devnet', node: process.version, skipped: err.message };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'fabric-bench-'));
  process.once('exit', () => void fabricDown(dataDir)); // best effort if the benchmark dies
  const started = Date.now();
  const network = await fabricUp({
    dataDir,
    fabric,
    basePort: BASE_PORT,
    chaincodes: [
      { name: 'citizen-vault', path: join(ROOT, 'chaincode') },
      { name: 'assets', path: join(ROOT, 'network/test/fixtures/asset-chaincode') },
    ],
  });
  const [a, b] = network.connection.organizations.map((o) => o.mspId);
  await network.defineChaincode('assets-any', 'assets', { signaturePolicy: `OR('${a}.peer','${b}.peer')` });
  const upSeconds = (Date.now() - started) / 1000;

  const fabricPids = await pidsOf(dataDir); // every orderer, peer and chaincode server
  const writes = [];
  try {
    for (const [policy, chaincode] of Object.entries(POLICIES)) {
      const fabricResult = await runWorkload({
        label: `fabric ${fabric.version}`,
        policy,
        endpoint: network.connection.endpoint,
        connection: network.connection,
        chaincode,
        pids: () => fabricPids,
      });
      const devnet = await devnetTarget(policy);
      let devnetResult;
      try {
        devnetResult = await runWorkload(devnet);
      } finally {
        await devnet.close();
      }
      writes.push({
        policy,
        fabric: fabricResult,
        devnet: devnetResult,
        devnetToFabric: round(devnetResult.committedTxPerSecond / fabricResult.committedTxPerSecond, 2),
        goal: 'devnet >= 2x fabric',
      });
    }

    // The API on each ledger: the devnet under `npm start`, and FABRIC_CONNECTION_FILE pointing at this network.
    const approvals = {};
    for (const [ledger, env] of [
      ['devnet', {}],
      ['fabric', { FABRIC_CONNECTION_FILE: network.connectionFile, FABRIC_CHAINCODE: 'citizen-vault', CV_DEV_MODE: 'true' }],
    ]) {
      const stack = await startStackProcess(`approvals-${ledger}`, env);
      try {
        approvals[ledger] = await measureApprovals(stack, await stack.organization(['consumer']), APPROVALS);
      } finally {
        await stack.stop();
      }
    }
    return {
      benchmark: "real Fabric beside the devnet: the same 32-client blind-write workload, and the API's consent approvals on each",
      node: process.version,
      fabric: {
        version: fabric.version,
        orderers: network.layout.orderers.length,
        peers: network.layout.peers.length,
        upSeconds: round(upSeconds, 1),
        ledgerProcesses: fabricPids.length,
      },
      baseline: { ecdsaP256SignVerifyPairsPerSecond: round(ecdsaCeiling(), 0), realFabric: 'the fabric results below' },
      writes,
      approvals: {
        ...approvals,
        fabricToDevnet: round(approvals.fabric.committedPerSecond / approvals.devnet.committedPerSecond, 2),
        goal: 'fabric within 30 % of devnet (>= 0.7)',
      },
    };
  } finally {
    await fabricDown(dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(JSON.stringify(await main(), null, 2));
process.exit(0);
