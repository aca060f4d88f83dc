import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll } from 'vitest';
import { connect, signers, type Gateway, type Identity, type Network, type Signer } from '@hyperledger/fabric-gateway';
import { startDevnet, type Devnet, type DevnetOptions } from '@citizen-vault/network';

export const ASSET_CHAINCODE = resolve(import.meta.dirname, 'fixtures/asset-chaincode');

export async function tempDir(prefix = 'devnet-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A devnet on a free port in a fresh directory, quiet unless something goes wrong. */
export async function testDevnet(overrides: Partial<DevnetOptions> = {}): Promise<TestDevnet> {
  const dataDir = overrides.dataDir ?? (await tempDir());
  const devnet = await startDevnet({
    dataDir,
    port: 0,
    chaincodes: [{ name: 'assets', path: ASSET_CHAINCODE }],
    chaincodeLogLevel: 'critical',
    log: (level, message, fields) => {
      if (level !== 'info') console.warn(`[devnet ${level}] ${message}`, fields ?? '');
    },
    ...overrides,
  });
  return Object.assign(devnet, { dataDir });
}

export interface ClientOptions {
  org?: number;
  user?: 'User1' | 'Admin';
  identity?: Identity;
  signer?: Signer | 'none';
}

/** A gateway connection made exactly as Fabric's samples make one: TLS root CA, host alias, MSP id, cert and key. */
export async function gatewayFor(
  devnet: Pick<Devnet, 'endpoint' | 'connection'>,
  options: ClientOptions = {},
): Promise<{ gateway: Gateway; client: grpc.Client; close(): void }> {
  const org = devnet.connection.organizations[options.org ?? 0]!;
  const user = org.users[options.user ?? 'User1'];
  // On a real network each organisation has its own peer; the devnet serves every one at one endpoint.
  const client = new grpc.Client(org.endpoint ?? devnet.endpoint, grpc.credentials.createSsl(await readFile(org.tlsCACert)), {
    'grpc.ssl_target_name_override': org.peerHostAlias,
  });
  const identity = options.identity ?? { mspId: org.mspId, credentials: await readFile(user.cert) };
  const signer = options.signer === 'none' ? undefined : (options.signer ?? signers.newPrivateKeySigner(createPrivateKey(await readFile(user.key))));
  const gateway = connect({
    client,
    identity,
    ...(signer ? { signer } : {}),
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 5_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 30_000 }),
  });
  return {
    gateway,
    client,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

export type TestDevnet = Devnet & { dataDir: string };

export interface SharedDevnet {
  devnet: TestDevnet;
  /** A gateway for the first organisation's User1. */
  conn: Awaited<ReturnType<typeof gatewayFor>>;
  network: Network;
}

/** One devnet and gateway for a whole `describe` block, started before its tests and removed after them. */
export function useDevnet(overrides: Partial<DevnetOptions> = {}): SharedDevnet {
  const shared = {} as SharedDevnet;
  beforeAll(async () => {
    shared.devnet = await testDevnet(overrides);
    shared.conn = await gatewayFor(shared.devnet);
    shared.network = shared.conn.gateway.getNetwork(shared.devnet.channel);
  });
  afterAll(async () => {
    shared.conn?.close();
    await shared.devnet?.close();
    if (shared.devnet) await removeDir(shared.devnet.dataDir);
  });
  return shared;
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
