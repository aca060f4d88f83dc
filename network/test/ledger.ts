import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import type { Network } from '@hyperledger/fabric-gateway';
import type { ConnectionInfo, DevnetOptions } from '@citizen-vault/network';
import { openFabricNetwork } from '@citizen-vault/network';
import { ASSET_CHAINCODE, gatewayFor, removeDir, testDevnet, type TestDevnet } from './helpers.js';

/**
 * One suite, two ledgers. `CV_LEDGER=fabric` (set by `npm run test:fabric`) runs the tests that
 * reach a ledger only through @hyperledger/fabric-gateway against the real Fabric network in
 * `CV_FABRIC_DIR`; otherwise each test gets a devnet of its own.
 */
export const LEDGER: 'devnet' | 'fabric' = process.env.CV_LEDGER === 'fabric' ? 'fabric' : 'devnet';
export const onFabric = LEDGER === 'fabric';
export const FABRIC_DIR = resolve(import.meta.dirname, '../..', process.env.CV_FABRIC_DIR ?? '.data/fabric-test');

export const CITIZEN_VAULT_CHAINCODE = resolve(import.meta.dirname, '../../chaincode');

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
    const devnet = await testDevnet({
      chaincodes: chaincodes.map((c) => ({ name: c.name, path: c.path, ...(c.policy ? { endorsementPolicy: c.policy.replaceAll('org0', 'Org1MSP').replaceAll('org1', 'Org2MSP') } : {}) })),
      ...devnetOverrides,
    });
    return withQscc({ kind: 'devnet', endpoint: devnet.endpoint, channel: devnet.channel, connection: devnet.connection, cc: (n) => n, devnet, close: async () => {
      await devnet.close();
      await removeDir(devnet.dataDir);
    } });
  }
  const network = await openFabricNetwork(FABRIC_DIR);
  const msp = network.connection.organizations.map((o) => o.mspId);
  const suffix = randomBytes(4).toString('hex');
  const names = new Map<string, string>();
  for (const c of chaincodes) {
    const packageOf = c.package ?? (resolve(c.path) === ASSET_CHAINCODE ? 'assets' : resolve(c.path) === CITIZEN_VAULT_CHAINCODE ? 'citizen-vault' : undefined);
    if (!packageOf) throw new Error(`no chaincode package on the Fabric test network for ${c.path}`);
    const deployed = `${c.name}-${suffix}`;
    const policy = c.policy?.replaceAll('org0', msp[0]!).replaceAll('org1', msp[1]!);
    await network.defineChaincode(deployed, packageOf, policy ? { signaturePolicy: policy } : {});
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
export function useLedger(chaincodes: LedgerChaincode[] = [{ name: 'assets', path: ASSET_CHAINCODE }], devnetOverrides: Partial<DevnetOptions> = {}): SharedLedger {
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
