import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureOrdererOrganizationMaterial, ensureOrganizationMaterial, type OrganizationMaterial } from '../devnet/crypto-material.js';
import type { ConnectionInfo } from '../devnet/devnet.js';
import type { FabricInstall } from './binaries.js';
import { networkLayout, ORDERER_ORGANIZATION, PEER_ORGANIZATIONS, type NetworkLayout, type OrdererNode, type PeerNode } from './layout.js';
import { writeChannelConfig, writeOrdererConfig, writePeerConfig } from './node-config.js';
import { waitEndorsable } from './endorsable.js';
import { defineChaincode, peerCommand, writeCcaasPackage, type PeerAdmin } from './peer-cli.js';
import { isAlive, listPids, logTail, readPid, startProcess, stopProcess, waitHealthy, type ProcessSpec } from './processes.js';

const run = promisify(execFile);

export interface FabricChaincode {
  name: string;
  /** The chaincode package's directory (a fabric-contract-api package, built). */
  path: string;
}

export interface FabricUpOptions {
  dataDir: string;
  fabric: FabricInstall;
  basePort?: number;
  channel?: string;
  chaincodes: FabricChaincode[];
  /** The orderers' BatchTimeout (default 20ms: a decision waits for its block). */
  batchTimeout?: string;
  log?: (line: string) => void;
}

/**
 * A chaincode package as each organisation runs it: its own chaincode server (so that the
 * chaincode sees its own peer's MSP id, `CORE_PEER_LOCALMSPID`), hence its own connection.json and
 * package id, approved by each organisation for the same definition, as production CCaaS is deployed.
 */
interface InstalledChaincode {
  name: string;
  path: string;
  label: string;
  servers: { mspId: string; packageId: string; port: number }[];
}

/** `<dataDir>/network.json`: what `down`, `status` and a restart need to know about a network. */
interface NetworkState {
  /** The layout of this file; a network made by another layout is refused, not misread. */
  format: typeof STATE_FORMAT;
  basePort: number;
  channel: string;
  fabricVersion: string;
  binDir: string;
  chaincodes: InstalledChaincode[];
  /** Chaincode names defined on the channel, each with the package it runs. */
  definitions: { name: string; label: string }[];
}

/** A running real network: its layout and connection, and what tests need to act on it. */
export interface FabricNetwork {
  layout: NetworkLayout;
  connection: ConnectionInfo;
  connectionFile: string;
  /** Defines another chaincode name on the channel running an installed package: a fresh namespace of state. */
  defineChaincode(name: string, packageOf: string, options?: { signaturePolicy?: string; collectionsConfig?: string }): Promise<void>;
}

const STATE_FILE = 'network.json';
const STATE_FORMAT = 2;
const PEER_ORG_MATERIAL = (layout: NetworkLayout) => Promise.all(PEER_ORGANIZATIONS.map((o) => ensureOrganizationMaterial(layout.cryptoDir, o)));

/**
 * Brings up a real Hyperledger Fabric network natively: three Raft orderers joined through the
 * channel participation API, one peer for each of the two organisations, and each chaincode as a
 * service, installed, approved by both organisations and committed with the channel's MAJORITY
 * endorsement policy. On a data directory that already holds a network it restarts the same nodes.
 */
export async function fabricUp(options: FabricUpOptions): Promise<FabricNetwork> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  const previous = await readState(dataDir);
  const layout = networkLayout(dataDir, previous?.basePort ?? options.basePort ?? 7300, previous?.channel ?? options.channel ?? 'mychannel');
  const running = (await listPids(dataDir)).filter((p) => p.alive);
  if (running.length > 0) throw new Error(`a network is already running in ${dataDir} (${running.map((p) => p.name).join(', ')}): run \`fabric down\` first`);
  const bin = (c: string) => join(options.fabric.binDir, c);

  const orderersOrg = await ensureOrdererOrganizationMaterial(layout.cryptoDir, ORDERER_ORGANIZATION);
  const peerOrgs = await PEER_ORG_MATERIAL(layout);
  for (const orderer of layout.orderers) await writeOrdererConfig(options.fabric.configDir, orderer, orderersOrg);
  for (const [i, peer] of layout.peers.entries()) await writePeerConfig(options.fabric.configDir, peer, peerOrgs[i]!, layout.cryptoDir);

  const block = join(dataDir, 'channel', `${layout.channel}.block`);
  if (!previous) {
    const configPath = await writeChannelConfig(layout, orderersOrg, peerOrgs, options.batchTimeout ?? '20ms');
    await exec(bin('configtxgen'), ['-configPath', configPath, '-profile', 'CitizenVaultChannel', '-channelID', layout.channel, '-outputBlock', block]);
  }

  log(`starting ${layout.orderers.length} orderers and ${layout.peers.length} peers`);
  for (const o of layout.orderers) {
    await startProcess(dataDir, ordererProcess(o, options.fabric.binDir));
  }
  for (const p of layout.peers) {
    await startProcess(dataDir, peerProcess(p, options.fabric.binDir));
  }
  for (const o of layout.orderers) await waitHealthy(dataDir, o.name, o.operationsPort);
  for (const p of layout.peers) await waitHealthy(dataDir, p.name, p.operationsPort);

  const admins: PeerAdmin[] = layout.peers.map((peer) => ({ peer, binDir: options.fabric.binDir, cryptoDir: layout.cryptoDir }));
  const state: NetworkState = previous ?? {
    format: STATE_FORMAT,
    basePort: layout.basePort,
    channel: layout.channel,
    fabricVersion: options.fabric.version,
    binDir: options.fabric.binDir,
    chaincodes: [],
    definitions: [],
  };
  if (!previous) {
    log(`joining the orderers to ${layout.channel} (osnadmin)`);
    for (const [i, o] of layout.orderers.entries()) {
      const own = orderersOrg.orderers[i]!;
      await exec(bin('osnadmin'), [
        'channel',
        'join',
        '--channelID',
        layout.channel,
        '--config-block',
        block,
        '-o',
        `127.0.0.1:${o.adminPort}`,
        '--ca-file',
        orderersOrg.tlsCaCertPath,
        '--client-cert',
        own.tlsCertPath,
        '--client-key',
        own.tlsKeyPath,
      ]);
    }
    log('joining the peers');
    for (const admin of admins) await retry(() => peerCommand(admin, ['channel', 'join', '-b', block]), 30_000);
  }

  // Each chaincode package: installed on both peers (once), served by its own chaincode server.
  for (const cc of options.chaincodes) {
    if (state.chaincodes.some((c) => c.name === cc.name)) continue;
    const label = `${cc.name}_1.0`;
    const servers: InstalledChaincode['servers'] = [];
    for (const admin of admins) {
      const port = layout.chaincodePort(state.chaincodes.length * admins.length + servers.length);
      const pkg = join(dataDir, 'chaincode', `${cc.name}.${admin.peer.mspId}.tgz`);
      await writeCcaasPackage(pkg, label, `127.0.0.1:${port}`);
      const packageId = (await peerCommand(admin, ['lifecycle', 'chaincode', 'calculatepackageid', pkg])).trim();
      await peerCommand(admin, ['lifecycle', 'chaincode', 'install', pkg], 120_000);
      servers.push({ mspId: admin.peer.mspId, packageId, port });
    }
    state.chaincodes.push({ name: cc.name, path: resolve(cc.path), label, servers });
  }
  for (const cc of state.chaincodes) await startChaincodeServers(dataDir, cc);
  for (const cc of state.chaincodes) {
    if (state.definitions.some((d) => d.name === cc.name)) continue;
    log(`defining chaincode ${cc.name} (approved by both organisations, committed)`);
    await defineChaincode(layout, admins, { name: cc.name, packageIds: cc.servers.map((s) => s.packageId) });
    state.definitions.push({ name: cc.name, label: cc.label });
  }
  await writeState(dataDir, state);
  for (const cc of state.chaincodes) {
    for (const admin of admins) await waitChaincode(admin, layout.channel, cc.name);
  }

  const network = await describe(dataDir, layout, state, peerOrgs, admins);
  await waitEndorsable(
    network.connection,
    state.definitions.map((d) => d.name),
  );
  log(`Fabric ${state.fabricVersion} is up: channel ${layout.channel}, gateway ${network.connection.endpoint}, connection file ${network.connectionFile}`);
  return network;
}

/** The running network in `dataDir`, for a client that did not start it (tests, `status`). */
export async function openFabricNetwork(dataDir: string): Promise<FabricNetwork> {
  const dir = resolve(dataDir);
  const state = await readState(dir);
  if (!state) throw new Error(`no Fabric network in ${dir}: run \`npm run fabric -- up\``);
  const layout = networkLayout(dir, state.basePort, state.channel);
  const admins = layout.peers.map((peer) => ({ peer, binDir: state.binDir, cryptoDir: layout.cryptoDir }));
  return describe(dir, layout, state, await PEER_ORG_MATERIAL(layout), admins);
}

async function describe(
  dataDir: string,
  layout: NetworkLayout,
  state: NetworkState,
  orgs: OrganizationMaterial[],
  admins: PeerAdmin[],
): Promise<FabricNetwork> {
  const connection: ConnectionInfo = {
    endpoint: `127.0.0.1:${layout.peers[0]!.port}`,
    channel: layout.channel,
    chaincodes: state.definitions.map((d) => d.name),
    organizations: orgs.map((o, i) => ({
      mspId: o.mspId,
      domain: o.domain,
      peerHostAlias: o.peerHostAlias,
      tlsCACert: o.tlsCaCertPath,
      endpoint: `127.0.0.1:${layout.peers[i]!.port}`,
      users: {
        Admin: { cert: o.users.Admin.certPath, key: o.users.Admin.keyPath },
        User1: { cert: o.users.User1.certPath, key: o.users.User1.keyPath },
      },
    })),
  };
  const connectionFile = join(dataDir, 'connection.json');
  await writeFile(connectionFile, JSON.stringify(connection, null, 2) + '\n');
  return {
    layout,
    connection,
    connectionFile,
    async defineChaincode(name, packageOf, options = {}) {
      const current = (await readState(dataDir)) ?? state;
      const cc = current.chaincodes.find((c) => c.name === packageOf);
      if (!cc) throw new Error(`no chaincode package ${packageOf} is installed`);
      if (!current.definitions.some((d) => d.name === name)) {
        await retry(() => defineChaincode(layout, admins, { name, packageIds: cc.servers.map((s) => s.packageId), ...options }), 20_000);
        current.definitions.push({ name, label: cc.label });
        await writeState(dataDir, current);
      }
      for (const admin of admins) await waitChaincode(admin, layout.channel, name);
      connection.chaincodes = current.definitions.map((d) => d.name);
      await waitEndorsable(connection, [name]);
    },
  };
}

/** Stops every process the network started, by its pid file. Its data stays unless `purge`. */
export async function fabricDown(dataDir: string, options: { purge?: boolean } = {}): Promise<string[]> {
  const dir = resolve(dataDir);
  const stopped: string[] = [];
  // Chaincode servers and peers first, so that no peer logs the orderers going away as an error.
  const order = (name: string) => (name.startsWith('cc-') ? 0 : name.startsWith('peer') ? 1 : 2);
  const procs = (await listPids(dir)).sort((a, b) => order(a.name) - order(b.name));
  for (const p of procs) {
    if (await stopProcess(dir, p.name)) stopped.push(p.name);
  }
  if (options.purge) await rm(dir, { recursive: true, force: true });
  return stopped;
}

export interface NodeStatus {
  name: string;
  pid?: number;
  running: boolean;
  healthy?: boolean;
}

export async function fabricStatus(dataDir: string): Promise<{ state: 'up' | 'partial' | 'down' | 'absent'; nodes: NodeStatus[] }> {
  const dir = resolve(dataDir);
  const state = await readState(dir);
  if (!state) return { state: 'absent', nodes: [] };
  const layout = networkLayout(dir, state.basePort, state.channel);
  const nodes: NodeStatus[] = [];
  const check = async (name: string, operationsPort?: number) => {
    const pid = await readPid(dir, name);
    const running = pid !== undefined && isAlive(pid);
    const healthy =
      operationsPort && running
        ? await fetch(`http://127.0.0.1:${operationsPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
            (r) => r.ok,
            () => false,
          )
        : undefined;
    nodes.push({ name, ...(pid ? { pid } : {}), running, ...(healthy === undefined ? {} : { healthy }) });
  };
  for (const o of layout.orderers) await check(o.name, o.operationsPort);
  for (const p of layout.peers) await check(p.name, p.operationsPort);
  for (const cc of state.chaincodes) for (const server of cc.servers) await check(serverName(cc, server.mspId));
  const up = nodes.filter((n) => n.running && n.healthy !== false).length;
  return { state: up === nodes.length ? 'up' : up === 0 ? 'down' : 'partial', nodes };
}

/** Starts (or restarts) one orderer or peer by name, with the binaries the network was made with; for fault tests. */
export async function fabricStartNode(dataDir: string, name: string): Promise<void> {
  const dir = resolve(dataDir);
  const state = await readState(dir);
  if (!state) throw new Error(`no Fabric network in ${dir}`);
  const layout = networkLayout(dir, state.basePort, state.channel);
  const orderer = layout.orderers.find((o) => o.name === name);
  const peer = layout.peers.find((p) => p.name === name);
  if (orderer) {
    await startProcess(dir, ordererProcess(orderer, state.binDir));
    await waitHealthy(dir, name, orderer.operationsPort);
  } else if (peer) {
    await startProcess(dir, peerProcess(peer, state.binDir));
    await waitHealthy(dir, name, peer.operationsPort);
  } else {
    throw new Error(`no node ${name} in ${dir}`);
  }
}

export async function fabricStopNode(dataDir: string, name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<boolean> {
  return stopProcess(resolve(dataDir), name, { signal, graceMs: signal === 'SIGKILL' ? 0 : 10_000 });
}

function ordererProcess(o: OrdererNode, binDir: string): ProcessSpec {
  return { name: o.name, command: join(binDir, 'orderer'), args: [], env: { ...baseEnv(), FABRIC_CFG_PATH: o.dir, FABRIC_LOGGING_SPEC: 'WARNING' } };
}

function peerProcess(p: PeerNode, binDir: string): ProcessSpec {
  return {
    name: p.name,
    command: join(binDir, 'peer'),
    args: ['node', 'start'],
    env: { ...baseEnv(), FABRIC_CFG_PATH: p.dir, FABRIC_LOGGING_SPEC: 'WARNING:gateway=info' },
  };
}

function serverName(cc: InstalledChaincode, mspId: string): string {
  return `cc-${cc.name}.${mspId}`;
}

async function startChaincodeServers(dataDir: string, cc: InstalledChaincode): Promise<void> {
  const shim = dirname(createRequire(join(cc.path, 'package.json')).resolve('fabric-shim/package.json'));
  for (const server of cc.servers) {
    const name = serverName(cc, server.mspId);
    await startProcess(dataDir, {
      name,
      command: process.execPath,
      args: [join(shim, 'cli.js'), 'server', '--chaincode-address', `127.0.0.1:${server.port}`, '--chaincode-id', server.packageId, '--module-path', cc.path],
      cwd: cc.path,
      // The chaincode's stub.getMspID() reads its peer's MSP id from here, as in Fabric's chaincode containers.
      env: { ...baseEnv(), CORE_PEER_LOCALMSPID: server.mspId, CORE_CHAINCODE_LOGGING_LEVEL: 'warning', CORE_CHAINCODE_LOGGING_SHIM: 'warning' },
    });
  }
  // A server listens once its contract is loaded; a peer that dials it earlier retries.
  for (const server of cc.servers) {
    const name = serverName(cc, server.mspId);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pid = await readPid(dataDir, name);
      if (pid && !isAlive(pid)) throw new Error(`chaincode server ${name} exited:\n${await logTail(dataDir, name)}`);
      if (await canConnect(server.port)) break;
      if (Date.now() > deadline) throw new Error(`chaincode server ${name} did not listen on ${server.port}:\n${await logTail(dataDir, name)}`);
      await sleep(100);
    }
  }
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

/** A query through each peer: proves the peer reaches the chaincode server (the first call launches it). */
async function waitChaincode(admin: PeerAdmin, channel: string, name: string): Promise<void> {
  await retry(() => peerCommand(admin, ['chaincode', 'query', '-C', channel, '-n', name, '-c', '{"Args":["org.hyperledger.fabric:GetMetadata"]}']), 60_000);
}

async function retry<T>(fn: () => Promise<T>, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

async function exec(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { env: { ...baseEnv(), FABRIC_LOGGING_SPEC: 'WARNING' }, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command.split('/').pop()} ${args[0] ?? ''} failed: ${(e.stderr || e.stdout || e.message).trim()}`, { cause: err });
  }
}

function baseEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME };
}

async function readState(dataDir: string): Promise<NetworkState | undefined> {
  const text = await readFile(join(dataDir, STATE_FILE), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const state = JSON.parse(text) as NetworkState;
  if (state.format !== STATE_FORMAT)
    throw new Error(
      `${join(dataDir, STATE_FILE)} was written by another version of this tool: run \`npm run fabric -- down --purge --data-dir ${dataDir}\` and up again`,
    );
  return state;
}

async function writeState(dataDir: string, state: NetworkState): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const tmp = join(dataDir, `${STATE_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
  await rename(tmp, join(dataDir, STATE_FILE));
}
