import { createPrivateKey } from 'node:crypto';
import { access, mkdir, writeFile, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Server } from '@grpc/grpc-js';
import { gateway, peer, type common } from '@hyperledger/fabric-protos';
import { genesisBlock, genesisMspIds } from './block-format.js';
import { verifyChain, type ChainVerification, type VerifyProgress } from './block-reader.js';
import { ChaincodeProcess } from './chaincode-runtime.js';
import { CollectionRegistry, parseCollectionsConfig, type Collection, type CollectionConfigJson } from './collections.js';
import { serviceTransport, workerTransport } from './chaincode-transport.js';
import { ensureOrganizationMaterial, type OrganizationMaterial, type OrganizationSpec } from './crypto-material.js';
import { Endorser, type ChaincodeDefinition, type PeerNode } from './endorser.js';
import { DevnetError } from './errors.js';
import { createDeliverService } from './deliver-service.js';
import { createGatewayService } from './gateway-service.js';
import { Ledger } from './ledger.js';
import { MspRegistry, serializeIdentity } from './msp.js';
import { OwnEndorsements } from './own-endorsements.js';
import { DEFAULT_BATCH, Orderer, type BatchOptions } from './orderer.js';
import { parsePolicy, type Policy } from './policy.js';
import { SniServerCredentials } from './tls-credentials.js';

export interface ChaincodeSpec {
  name: string;
  /** Directory of a fabric-contract-api package whose `main` exports `contracts`: run in-process. */
  path?: string;
  /**
   * `host:port` of the chaincode running as a service (`fabric-chaincode-node server`), which the
   * devnet dials as a Fabric peer does. Give `path` or `address`, not both.
   */
  address?: string;
  version?: string;
  /** Fabric policy notation, e.g. `OR('Org1MSP.peer','Org2MSP.peer')` or `MAJORITY Endorsement` (the default). */
  endorsementPolicy?: string;
  /**
   * Private data collections of the chaincode definition, in the format of Fabric's
   * `collections_config.json`. Each organisation's implicit collection exists without it.
   */
  collections?: CollectionConfigJson[];
}

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface DevnetOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  channel?: string;
  organizations?: OrganizationSpec[];
  chaincodes: ChaincodeSpec[];
  batch?: Partial<BatchOptions>;
  /** fabric-shim log level inside chaincodes. */
  chaincodeLogLevel?: string;
  executeTimeoutMs?: number;
  log?: Logger;
  clock?: () => Date;
}

export const DEFAULT_ORGANIZATIONS: OrganizationSpec[] = [
  { mspId: 'Org1MSP', domain: 'org1.example.com' },
  { mspId: 'Org2MSP', domain: 'org2.example.com' },
];

/** What a client needs to connect, also written to `<dataDir>/connection.json`. */
export interface ConnectionInfo {
  endpoint: string;
  channel: string;
  chaincodes: string[];
  organizations: {
    mspId: string;
    domain: string;
    peerHostAlias: string;
    tlsCACert: string;
    /** This organisation's own peer, where it differs from `endpoint` (a real network: one peer per organisation). */
    endpoint?: string;
    users: Record<'Admin' | 'User1', { cert: string; key: string }>;
  }[];
}

export interface Devnet {
  readonly endpoint: string;
  readonly port: number;
  readonly channel: string;
  readonly connection: ConnectionInfo;
  readonly organizations: readonly OrganizationMaterial[];
  /** Committed blocks, the genesis block included. */
  height(): number;
  readBlock(number: number): Promise<common.Block>;
  /** Verifies the hash chain of the blocks committed so far. */
  verifyChain(onProgress?: (p: VerifyProgress) => void): Promise<ChainVerification>;
  close(): Promise<void>;
}

/** Where a channel's blocks live under a devnet data directory. */
export function ledgerDirectory(dataDir: string, channel: string): string {
  return join(resolve(dataDir), 'ledger', channel);
}

export const jsonLogger: Logger = (level, message, fields) => {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, component: 'devnet', message, ...fields }) + '\n');
};

/** Starts a devnet: MSPs, channel ledger, chaincodes on every organisation's peer, and the Gateway gRPC service over TLS. */
export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const dataDir = resolve(options.dataDir);
  const channel = options.channel ?? 'mychannel';
  const orgSpecs = options.organizations ?? DEFAULT_ORGANIZATIONS;
  const log = options.log ?? jsonLogger;
  const clock = options.clock ?? (() => new Date());
  await validateOptions(options, orgSpecs);

  await mkdir(dataDir, { recursive: true });
  const orgs: OrganizationMaterial[] = [];
  for (const spec of orgSpecs) orgs.push(await ensureOrganizationMaterial(join(dataDir, 'organizations'), spec, clock()));
  const mspIds = orgs.map((o) => o.mspId);
  const msps = new MspRegistry(
    orgs.map((o) => ({ mspId: o.mspId, rootCertPems: [o.caCertPem] })),
    clock,
  );

  const policies = new Map<string, Policy>();
  const definitions = new Map<string, ChaincodeDefinition>();
  const explicitCollections = new Map<string, Collection[]>();
  for (const cc of options.chaincodes) {
    policies.set(cc.name, parsePolicy(cc.endorsementPolicy ?? 'MAJORITY Endorsement', mspIds));
    definitions.set(cc.name, { name: cc.name, version: cc.version ?? '1.0' });
    try {
      explicitCollections.set(cc.name, parseCollectionsConfig(cc.collections ?? [], mspIds));
    } catch (err) {
      throw new DevnetError('config', `chaincode ${cc.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const collections = new CollectionRegistry(mspIds, explicitCollections);
  const ownEndorsements = new OwnEndorsements();

  const ledger = await Ledger.open({
    dir: ledgerDirectory(dataDir, channel),
    channelId: channel,
    genesis: () => genesisBlock(channel, orgs, clock().getTime()),
    validation: { msps, policies, collections, ownEndorsements },
    privateData: {
      mspIds,
      collections,
      log: (message, fields) => log('warn', message, fields),
    },
    onRecovery: (bytes, keptAt) => log('warn', 'cut off a torn last block left by a crash', { discardedBytes: bytes, keptAt }),
  });
  const members = genesisMspIds(await ledger.readBlock(0)).sort();
  if (members.join(',') !== [...mspIds].sort().join(',')) {
    await ledger.close();
    throw new DevnetError('config', `channel ${channel} in ${dataDir} was created with organisations ${members.join(', ')}, not ${mspIds.join(', ')}`);
  }

  const processes: ChaincodeProcess[] = [];
  const peers = new Map<string, PeerNode>();
  const host = options.host ?? '127.0.0.1';
  for (const org of orgs) {
    const chaincodes = new Map<string, ChaincodeProcess>();
    for (const cc of options.chaincodes) {
      const transport = cc.path
        ? workerTransport({
            name: cc.name,
            path: resolve(cc.path),
            env: { CORE_PEER_LOCALMSPID: org.mspId, CORE_CHAINCODE_LOGGING_LEVEL: options.chaincodeLogLevel ?? 'warning' },
          })
        : serviceTransport({ address: cc.address!, dialTimeoutMs: 10_000 });
      const process = new ChaincodeProcess({ name: cc.name, transport, executeTimeoutMs: options.executeTimeoutMs ?? 30_000 });
      chaincodes.set(cc.name, process);
      processes.push(process);
    }
    peers.set(org.mspId, {
      mspId: org.mspId,
      address: `${org.peerHostAlias}:${options.port ?? 0}`,
      identity: serializeIdentity(org.mspId, org.peer.certPem),
      signingKey: createPrivateKey(org.peer.keyPem),
      chaincodes,
    });
  }

  let server: Server | undefined;
  let orderer: Orderer | undefined;
  let service: ReturnType<typeof createGatewayService> | undefined;
  const shutdown = async (): Promise<void> => {
    if (server)
      await new Promise<void>((done) => {
        const s = server!;
        // In-flight calls get a moment to finish; event streams never end by themselves, so then cut them.
        const force = setTimeout(() => s.forceShutdown(), 500);
        s.tryShutdown(() => {
          clearTimeout(force);
          done();
        });
      });
    await orderer?.stop();
    service?.close();
    await Promise.all(processes.map((p) => p.close()));
    await ledger.close();
  };

  try {
    await Promise.all(processes.map((p) => p.start()));
    orderer = new Orderer(ledger, { ...DEFAULT_BATCH, ...options.batch }, (err) => {
      log('error', 'writing a block failed: the devnet stops taking transactions', { error: String(err) });
      service?.failWaiting('writing a block failed; the transaction was not committed');
    });
    service = createGatewayService({
      channelId: channel,
      msps,
      ledger,
      orderer,
      endorser: new Endorser(ledger, definitions, collections, mspIds, ownEndorsements),
      collections,
      peers,
      policies,
      log,
    });
    server = new Server({ 'grpc.max_receive_message_length': 100 * 1024 * 1024, 'grpc.max_send_message_length': 100 * 1024 * 1024 });
    server.addService(gateway.GatewayService, service.handlers);
    server.addService(peer.DeliverService, createDeliverService({ channelId: channel, msps, ledger, clock }));
    const credentials = new SniServerCredentials(
      orgs.map((o) => ({ hostNames: [o.peerHostAlias, 'localhost'], certPem: o.peer.tlsCertPem, keyPem: o.peer.tlsKeyPem })),
    );
    const port = await new Promise<number>((ok, fail) =>
      server!.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`, credentials, (err, p) => (err ? fail(err) : ok(p))),
    );
    for (const node of peers.values()) node.address = `${node.address.split(':')[0]}:${port}`;

    const connection = connectionInfo(`${host === '0.0.0.0' ? 'localhost' : host}:${port}`, channel, options.chaincodes, orgs);
    await writeJsonAtomically(join(dataDir, 'connection.json'), connection);
    log('info', 'devnet ready', {
      endpoint: connection.endpoint,
      channel,
      height: ledger.height,
      replayedBlocks: ledger.replayedBlocks,
      chaincodes: options.chaincodes.map((c) => c.name),
    });
    let closing: Promise<void> | undefined;
    return {
      endpoint: connection.endpoint,
      port,
      channel,
      connection,
      organizations: orgs,
      height: () => ledger.height,
      readBlock: (n) => ledger.readBlock(n),
      verifyChain: (onProgress) => verifyChain(ledgerDirectory(dataDir, channel), onProgress, ledger.height),
      close: () => (closing ??= shutdown()),
    };
  } catch (err) {
    await shutdown().catch(() => {});
    throw err;
  }
}

function connectionInfo(endpoint: string, channel: string, chaincodes: ChaincodeSpec[], orgs: OrganizationMaterial[]): ConnectionInfo {
  return {
    endpoint,
    channel,
    chaincodes: chaincodes.map((c) => c.name),
    organizations: orgs.map((o) => ({
      mspId: o.mspId,
      domain: o.domain,
      peerHostAlias: o.peerHostAlias,
      tlsCACert: o.tlsCaCertPath,
      users: {
        Admin: { cert: o.users.Admin.certPath, key: o.users.Admin.keyPath },
        User1: { cert: o.users.User1.certPath, key: o.users.User1.keyPath },
      },
    })),
  };
}

async function validateOptions(options: DevnetOptions, orgs: OrganizationSpec[]): Promise<void> {
  if (orgs.length === 0) throw new DevnetError('config', 'at least one organisation is required');
  if (orgs.length > 16) throw new DevnetError('config', 'at most 16 organisations are supported');
  const unique = (values: string[], what: string): void => {
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup) throw new DevnetError('config', `${what} ${dup} is given twice`);
  };
  unique(
    orgs.map((o) => o.mspId),
    'MSP id',
  );
  unique(
    orgs.map((o) => o.domain),
    'organisation domain',
  );
  for (const o of orgs) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.mspId)) throw new DevnetError('config', `MSP id ${JSON.stringify(o.mspId)} is not valid`);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(o.domain)) {
      throw new DevnetError('config', `organisation domain ${JSON.stringify(o.domain)} is not a DNS name`);
    }
  }
  if (options.chaincodes.length === 0) throw new DevnetError('config', 'at least one chaincode is required');
  unique(
    options.chaincodes.map((c) => c.name),
    'chaincode',
  );
  for (const cc of options.chaincodes) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(cc.name)) throw new DevnetError('config', `chaincode name ${JSON.stringify(cc.name)} is not valid`);
    if ((cc.path === undefined) === (cc.address === undefined)) {
      throw new DevnetError('config', `chaincode ${cc.name}: give either a package path or a chaincode-as-a-service address`);
    }
    if (cc.address !== undefined && !/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(cc.address)) {
      throw new DevnetError('config', `chaincode ${cc.name}: address ${JSON.stringify(cc.address)} is not host:port`);
    }
    if (
      cc.path !== undefined &&
      !(await access(join(resolve(cc.path), 'package.json')).then(
        () => true,
        () => false,
      ))
    ) {
      throw new DevnetError('config', `chaincode ${cc.name}: no package.json in ${resolve(cc.path)}`);
    }
  }
}

async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}
