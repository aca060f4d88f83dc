#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBlock, readBlockFromFile, verifyChain } from './block-reader.js';
import { DEFAULT_ORGANIZATIONS, ledgerDirectory, startDevnet, type ChaincodeSpec } from './devnet.js';
import { readCollectionsConfig } from './collections-config.js';
import { DevnetError } from './errors.js';

const USAGE = `Usage:
  devnet [start] --chaincode NAME=PATH [--chaincode ...] [options]
      --chaincode-server NAME=HOST:PORT   a chaincode running as a service, which the devnet dials
      --data-dir DIR          where crypto material and blocks live (default .data/devnet)
      --host HOST             address to listen on (default 127.0.0.1)
      --port PORT             gRPC port (default 7051; 0 picks a free one)
      --channel NAME          channel name (default mychannel)
      --org MSPID=DOMAIN      an organisation (repeat; default Org1MSP=org1.example.com, Org2MSP=org2.example.com)
      --policy NAME=POLICY    a chaincode's endorsement policy (default "MAJORITY Endorsement")
      --collections NAME=FILE a chaincode's private data collections, in Fabric's collections_config.json format
      --batch-size N          transactions per block at most (default 500)
      --batch-timeout-ms MS   how long a block waits for more transactions (default 2)
  devnet block N [--data-dir DIR] [--channel NAME]   print block N as JSON
  devnet verify [--data-dir DIR] [--channel NAME]    verify the whole hash chain`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: '.data/devnet' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7051' },
      channel: { type: 'string' },
      chaincode: { type: 'string', multiple: true, default: [] },
      'chaincode-server': { type: 'string', multiple: true, default: [] },
      policy: { type: 'string', multiple: true, default: [] },
      collections: { type: 'string', multiple: true, default: [] },
      org: { type: 'string', multiple: true, default: [] },
      'batch-size': { type: 'string' },
      'batch-timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command = 'start', arg] = positionals;
  const dataDir = resolve(values['data-dir']);
  const channel = values.channel ?? (await channelFromConnection(dataDir)) ?? 'mychannel';
  const ledgerDir = ledgerDirectory(dataDir, channel);

  switch (command) {
    case 'block': {
      const n = Number(arg);
      if (!Number.isSafeInteger(n) || n < 0) throw usage('block needs a block number');
      console.log(JSON.stringify(describeBlock(await readBlockFromFile(ledgerDir, n)), null, 2));
      return 0;
    }
    case 'verify': {
      let lastShown = 0;
      const result = await verifyChain(ledgerDir, (p) => {
        const now = Date.now();
        if (process.stderr.isTTY && now - lastShown > 100) {
          lastShown = now;
          process.stderr.write(`\rverifying: block ${p.blocks}, ${Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes))}%`);
        }
      });
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.log(JSON.stringify(result, null, 2));
      return result.ok ? 0 : 1;
    }
    case 'start':
      return start(values, dataDir, channel);
    default:
      throw usage(`unknown command ${command}`);
  }
}

async function start(
  values: {
    host: string;
    port: string;
    chaincode: string[];
    'chaincode-server': string[];
    policy: string[];
    collections: string[];
    org: string[];
    'batch-size'?: string;
    'batch-timeout-ms'?: string;
  },
  dataDir: string,
  channel: string,
): Promise<number> {
  const policies = new Map(values.policy.map((p) => pair(p, '--policy')));
  const chaincodes: ChaincodeSpec[] = [
    ...values.chaincode.map((c) => {
      const [name, path] = pair(c, '--chaincode');
      return { name, path: resolve(path), endorsementPolicy: policies.get(name) };
    }),
    ...values['chaincode-server'].map((c) => {
      const [name, address] = pair(c, '--chaincode-server');
      return { name, address, endorsementPolicy: policies.get(name) };
    }),
  ];
  if (chaincodes.length === 0) throw usage('give at least one --chaincode NAME=PATH or --chaincode-server NAME=HOST:PORT');
  for (const name of policies.keys()) {
    if (!chaincodes.some((c) => c.name === name)) throw usage(`--policy names ${name}, which is not a --chaincode`);
  }
  for (const entry of values.collections) {
    const [name, file] = pair(entry, '--collections');
    const chaincode = chaincodes.find((c) => c.name === name);
    if (!chaincode) throw usage(`--collections names ${name}, which is not a --chaincode`);
    chaincode.collections = await readCollectionsConfig(resolve(file));
  }
  const organizations =
    values.org.length > 0
      ? values.org.map((o) => {
          const [mspId, domain] = pair(o, '--org');
          return { mspId, domain };
        })
      : DEFAULT_ORGANIZATIONS;
  const port = whole(values.port, '--port');
  const devnet = await startDevnet({
    dataDir,
    host: values.host,
    port,
    channel,
    organizations,
    chaincodes,
    batch: {
      ...(values['batch-size'] ? { maxMessageCount: whole(values['batch-size'], '--batch-size') } : {}),
      ...(values['batch-timeout-ms'] ? { batchTimeoutMs: whole(values['batch-timeout-ms'], '--batch-timeout-ms') } : {}),
    },
  });
  console.log(JSON.stringify(devnet.connection, null, 2));
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      devnet.close().then(done, (err: unknown) => {
        console.error('devnet: error while stopping:', err);
        done();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

async function channelFromConnection(dataDir: string): Promise<string | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dataDir, 'connection.json'), 'utf8'));
    return parsed && typeof parsed === 'object' && 'channel' in parsed && typeof parsed.channel === 'string' ? parsed.channel : undefined;
  } catch {
    return undefined;
  }
}

function pair(text: string, flag: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0 || i === text.length - 1) throw usage(`${flag} takes NAME=VALUE, got ${JSON.stringify(text)}`);
  return [text.slice(0, i), text.slice(i + 1)];
}

function whole(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw usage(`${flag} takes a whole number, got ${JSON.stringify(text)}`);
  return n;
}

function usage(message: string): DevnetError {
  return new DevnetError('invalid_argument', `${message}\n\n${USAGE}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`devnet: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof DevnetError && err.code === 'invalid_argument' ? 2 : 1);
  },
);
