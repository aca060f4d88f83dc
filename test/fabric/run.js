#!/usr/bin/env node
// `npm run test:fabric`: builds (or reuses) Fabric's binaries, brings up a real network in
// .data/fabric-test, runs the suite that reaches a ledger only through @hyperledger/fabric-gateway
// against it (CV_LEDGER=fabric), then takes the network down. Exit code: vitest's.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureFabric, fabricDown, fabricUp, FabricInstallError } from '@citizen-vault/network';

const ROOT = resolve(import.meta.dirname, '../..');
const DATA_DIR = resolve(ROOT, '.data/fabric-test');
const BASE_PORT = Number(process.env.CV_FABRIC_TEST_PORT ?? 7400);

/** The tests that run on both ledgers, and the ones only real Fabric can run (its nodes killed and restarted). */
export const FABRIC_SUITE = [
  'network/test/gateway-conformance.test.ts',
  'network/test/events-conformance.test.ts',
  'network/test/devnet-private-data.test.ts',
  'test/chaincode/chaincode-ledger.test.ts',
  'test/chaincode/passkey-decisions.test.ts',
  'api/test/consent-flow.test.ts',
  'api/test/exchange/exchange-flow.test.ts',
  'api/test/audit.test.ts',
];
/** Run after the suite, on their own: they kill and restart the network's nodes. */
export const FABRIC_FAULTS = ['test/fabric/faults.test.ts'];

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);
const log = (line) => console.log(`[test:fabric] ${line}`);

async function main() {
  let started = Date.now();
  const fabric = await ensureFabric({ binDir: process.env.FABRIC_BIN, configDir: process.env.FABRIC_CONFIG_DIR, log });
  log(`Fabric ${fabric.version} ${fabric.source === 'cache' ? 'from the cache' : fabric.source} in ${seconds(started)} s`);
  await fabricDown(DATA_DIR, { purge: true });
  started = Date.now();
  const chaincodes = [
    { name: 'citizen-vault', path: resolve(ROOT, 'chaincode') },
    { name: 'assets', path: resolve(ROOT, 'network/test/fixtures/asset-chaincode') },
    { name: 'assets2', path: resolve(ROOT, 'network/test/fixtures/asset-chaincode') },
    { name: 'private', path: resolve(ROOT, 'network/test/fixtures/private-chaincode') },
  ];
  let code = 1;
  try {
    await fabricUp({ dataDir: DATA_DIR, fabric, basePort: BASE_PORT, chaincodes, log });
    log(`network up in ${seconds(started)} s`);
    started = Date.now();
    const vitest = (files, report) =>
      new Promise((done) => {
        const child = spawn(
          process.execPath,
          [
            resolve(ROOT, 'node_modules/vitest/vitest.mjs'),
            'run',
            ...files,
            ...process.argv.slice(2),
            // One file at a time: they share one channel.
            '--no-file-parallelism',
          ],
          { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CV_LEDGER: 'fabric', CV_FABRIC_DIR: DATA_DIR, CV_VITEST_REPORT: report } },
        );
        child.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
      });
    code = await vitest(FABRIC_SUITE, '.data/vitest-fabric-results.json');
    code = (await vitest(FABRIC_FAULTS, '.data/vitest-fabric-faults.json')) || code;
    log(`suite ran in ${seconds(started)} s`);
  } finally {
    if (code !== 0) log(`the nodes' logs are in ${DATA_DIR}/logs (kept: the network is stopped, not purged)`);
    await fabricDown(DATA_DIR, { purge: code === 0 });
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof FabricInstallError ? err.message : err);
    process.exit(1);
  },
);
