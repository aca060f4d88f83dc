import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import type { Network } from '@hyperledger/fabric-gateway';
import type { ConnectionInfo, DevnetOptions } from '@citizen-vault/network';
import { collectionsConfigFromJson, openFabricNetwork } from '@citizen-vault/network';
import { ASSET_CHAINCODE, gatewayFor, removeDir, testDevnet, type TestDevnet } from './helpers.js';
import { PRIVATE_CHAINCODE } from './private-data-helpers.js';

/**
 * One suite, two ledgers. `CV_LEDGER=fabric` (set by `npm run test:fabric`) runs the tests that
 * reach a ledger only through @hyperledger/fabric-gateway against the real Fabric network in
 * `CV_FABRIC_DIR`; otherwise each test gets a devnet of its own.
 */
export const LEDGER: 'devnet' | 'fabric' = process.env.CV_LEDGER === 'fabric' ? 'fabric' : 'devnet';
export const onFabric = LEDGER === 'fabric';
export const FABRIC_DIR = resolve(import.meta.dirname, '../..', process.env.CV_FABRIC_DIR ?? '.data/fabric-test');

export const CITIZEN_VAULT_CHAINCODE = resolve(import.meta.dirname, '../../chaincode');

/** The packages `test/fabric/run.js` installs on the Fabric test network, by source directory. */
const INSTALLED_PACKAGES = new Map([
  [ASSET_CHAINCODE, 'assets'],
  [CITIZEN_VAULT_CHAINCODE, 'citizen-vault'],
  [PRIVATE_CHAINCODE, 'private'],
]);

export interface LedgerChaincode {
  /** The name the test uses; on Fabric the deployed name is this plus a suffix, a namespace of its own. */
  name: string;
  path: string;
  /** A signature policy, naming organisations as `org0`/`org1` (e.g. `OR('org0.peer','org1.peer')`); the channel's MAJORITY when absent. */
  policy?: string;
  /**
   * On Fabric, the installed package it runs (default: `assets` or `citizen-vault` by its path). A
   * chaincode that calls another in one transaction needs another package: a peer cannot run two
   * invocations of one transaction id on one chaincode connection.
   */
  package?: string;
  /**
   * Path to a `collections_config.json` whose policies name organisations as `org0`/`org1` (or
   * `Org1MSP`/`Org2MSP`, the devnet's ids); the ledger gets it with its own MSP ids.
   */
  collections?: string;
}

/** Org names in a policy (`org0.member`, `Org2MSP.peer`) replaced by the ledger's MSP ids; collection names like `org1Only` stay. */
export function withMspIds(text: string, msp: string[]): string {
  return text.replace(/\b(org[01]|Org[12]MSP)(?=\.)/g, (name) => msp[name.startsWith('org') ? Number(name[3]) : Number(name[3]) - 1]!);
}

async function collectionsFile(path: string, msp: string[]): Promise<string> {
  return withMspIds(await readFile(path, 'utf8'), msp);
}

export interface TestLedger {
  kind: 'devnet' | 'fabric';
  /** The gateway endpoint of the first organisation's peer. */
  endpoint: string;
  channel: string;
  connection: ConnectionInfo;
  /** The organisations' MSP ids, in the connection's order. */
  msp: string[];
  /** The deployed name of a chaincode the test asked for. */
  cc(name: string): string;
  /** The channel's height and blocks, read as any client reads them: qscc through the gateway. */
  height(): Promise<number>;
  readBlock(n: number): Promise<common.Block>;
  /** The devnet, where the test needs to act on it (never on Fabric). */
  devnet?: TestDevnet;
  close(): Promise<void>;
}

export async function testLedger(chaincodes: LedgerChaincode[], devnetOverrides: Partial<DevnetOptions> = {}): Promise<TestLedger> {
  if (!onFabric) {
    const devnetMsp = ['Org1MSP', 'Org2MSP'];
    const devnet = await testDevnet({
      chaincodes: await Promise.all(
        chaincodes.map(async (c) => ({
          name: c.name,
          path: c.path,
          ...(c.policy ? { endorsementPolicy: withMspIds(c.policy, devnetMsp) } : {}),
          ...(c.collections ? { collections: collectionsConfigFromJson(JSON.parse(await collectionsFile(c.collections, devnetMsp)), c.collections) } : {}),
        })),
      ),
      ...devnetOverrides,
    });
    return withQscc({
      kind: 'devnet',
      endpoint: devnet.endpoint,
      channel: devnet.channel,
      connection: devnet.connection,
      cc: (n) => n,
      devnet,
      close: async () => {
        await devnet.close();
        await removeDir(devnet.dataDir);
      },
    });
  }
  const network = await openFabricNetwork(FABRIC_DIR);
  const msp = network.connection.organizations.map((o) => o.mspId);
  const suffix = randomBytes(4).toString('hex');
  const names = new Map<string, string>();
  const work = await mkdtemp(join(tmpdir(), 'cv-collections-'));
  try {
    for (const c of chaincodes) await defineOnFabric(c);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  async function defineOnFabric(c: LedgerChaincode): Promise<void> {
    const packageOf = c.package ?? INSTALLED_PACKAGES.get(resolve(c.path));
    if (!packageOf) throw new Error(`no chaincode package on the Fabric test network for ${c.path}`);
    const deployed = `${c.name}-${suffix}`;
    const policy = c.policy && withMspIds(c.policy, msp);
    let collectionsConfig: string | undefined;
    if (c.collections) {
      collectionsConfig = join(work, `${c.name}.json`);
      await writeFile(collectionsConfig, await collectionsFile(c.collections, msp));
    }
    await network.defineChaincode(deployed, packageOf, { ...(policy ? { signaturePolicy: policy } : {}), ...(collectionsConfig ? { collectionsConfig } : {}) });
    names.set(c.name, deployed);
  }
  return withQscc({
    kind: 'fabric',
    endpoint: network.connection.endpoint,
    channel: network.layout.channel,
    connection: network.connection,
    cc: (n) => names.get(n) ?? n,
    close: async () => {},
  });
}

function withQscc(base: Omit<TestLedger, 'height' | 'readBlock' | 'msp'>): TestLedger {
  let conn: Awaited<ReturnType<typeof gatewayFor>> | undefined;
  const qscc = async () => {
    conn ??= await gatewayFor(base);
    return conn.gateway.getNetwork(base.channel).getContract('qscc');
  };
  return {
    ...base,
    msp: base.connection.organizations.map((o) => o.mspId),
    async height() {
      const info = common.BlockchainInfo.deserializeBinary(await (await qscc()).evaluateTransaction('GetChainInfo', base.channel));
      return info.getHeight();
    },
    async readBlock(n) {
      return common.Block.deserializeBinary(await (await qscc()).evaluateTransaction('GetBlockByNumber', base.channel, String(n)));
    },
    async close() {
      conn?.close();
      await base.close();
    },
  };
}

export interface SharedLedger {
  ledger: TestLedger;
  conn: Awaited<ReturnType<typeof gatewayFor>>;
  network: Network;
}

/** One ledger and a gateway (first organisation's User1) for a whole `describe` block. */
export function useLedger(
  chaincodes: LedgerChaincode[] = [{ name: 'assets', path: ASSET_CHAINCODE }],
  devnetOverrides: Partial<DevnetOptions> = {},
): SharedLedger {
  const shared = {} as SharedLedger;
  beforeAll(async () => {
    shared.ledger = await testLedger(chaincodes, devnetOverrides);
    shared.conn = await gatewayFor(shared.ledger);
    shared.network = shared.conn.gateway.getNetwork(shared.ledger.channel);
  }, 120_000);
  afterAll(async () => {
    shared.conn?.close();
    await shared.ledger?.close();
  });
  return shared;
}

/**
 * Waits until the peer behind `network` (its organisation's own peer on Fabric) has committed block
 * `n`: a commit status says only that the client's peer has it, and another organisation's peer may
 * still be committing it (on the devnet it always has).
 */
export async function committedOn(network: Network, n: number): Promise<void> {
  const qscc = network.getContract('qscc');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const info = common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', network.getName()));
    if (info.getHeight() > n) return;
  }
  throw new Error(`the peer did not commit block ${n} within 10 s`);
}
