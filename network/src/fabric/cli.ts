#!/usr/bin/env node
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureFabric, FabricInstallError, FABRIC_VERSION } from './binaries.js';
import { fabricDown, fabricStatus, fabricUp, type FabricChaincode } from './fabric-network.js';

const USAGE = `Usage: npm run fabric -- <command> [options]
  install                 build Fabric ${FABRIC_VERSION}'s peer, orderer, configtxgen and osnadmin once (Go), cached outside the repository
  up                      start a real network: 3 Raft orderers, a peer for VaultOperatorMSP and AuthorityMSP,
                          the citizen-vault chaincode as a service; writes DIR/connection.json
  down [--purge]          stop every process the network started (by pid); --purge also deletes its data
  status                  each node: running, healthy
Options:
  --data-dir DIR          the network's data (default .data/fabric)
  --base-port PORT        first of the network's ports (default 7300; see network/README.md)
  --chaincode NAME=PATH   a chaincode package to deploy as a service (repeat; default citizen-vault=chaincode/)
  --batch-timeout DUR     the orderers' BatchTimeout (default 20ms)
Settings: FABRIC_BIN (official release binaries instead of building), FABRIC_CONFIG_DIR (their config/ folder),
          XDG_CACHE_HOME (where builds are cached).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: '.data/fabric' },
      'base-port': { type: 'string', default: '7300' },
      chaincode: { type: 'string', multiple: true, default: [] },
      'batch-timeout': { type: 'string', default: '20ms' },
      purge: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const dataDir = resolve(values['data-dir']);
  const log = (line: string) => console.log(line);
  const install = () => ensureFabric({ binDir: process.env.FABRIC_BIN, configDir: process.env.FABRIC_CONFIG_DIR, log });
  switch (command) {
    case 'install': {
      const started = Date.now();
      const fabric = await install();
      console.log(
        `Fabric ${fabric.version} ${fabric.source === 'cache' ? 'already built' : fabric.source} in ${fabric.binDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      return 0;
    }
    case 'up': {
      const basePort = Number(values['base-port']);
      if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000) throw new UsageError('--base-port takes a port from 1024 to 65000');
      const chaincodes = values.chaincode.length ? values.chaincode.map(parseChaincode) : [{ name: 'citizen-vault', path: defaultChaincode() }];
      const started = Date.now();
      const network = await fabricUp({ dataDir, fabric: await install(), basePort, chaincodes, batchTimeout: values['batch-timeout'], log });
      console.log(
        `up in ${((Date.now() - started) / 1000).toFixed(1)} s. Run the API on it with:\n  FABRIC_CONNECTION_FILE=${network.connectionFile} FABRIC_MSP_ID=VaultOperatorMSP npm start`,
      );
      return 0;
    }
    case 'down': {
      const stopped = await fabricDown(dataDir, { purge: values.purge });
      console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
      return 0;
    }
    case 'status': {
      const status = await fabricStatus(dataDir);
      console.log(`network in ${dataDir}: ${status.state}`);
      for (const n of status.nodes)
        console.log(
          `  ${n.name.padEnd(36)} ${n.running ? `running (pid ${n.pid})` : 'stopped'}${n.healthy === undefined ? '' : n.healthy ? ', healthy' : ', NOT healthy'}`,
        );
      return status.state === 'up' ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

class UsageError extends Error {}

function parseChaincode(spec: string): FabricChaincode {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--chaincode takes NAME=PATH, not ${spec}`);
  return { name: spec.slice(0, eq), path: resolve(spec.slice(eq + 1)) };
}

function defaultChaincode(): string {
  return dirname(createRequire(import.meta.url).resolve('@citizen-vault/chaincode/package.json'));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else console.error(err instanceof FabricInstallError ? err.message : err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
