import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { OrdererOrganizationMaterial, OrganizationMaterial } from '../devnet/crypto-material.js';
import type { NetworkLayout, OrdererNode, PeerNode } from './layout.js';

/** `network/fabric/`: the reference network definition (configtx profile, overrides, CCaaS builder). */
export const DEFINITION_DIR = resolve(import.meta.dirname, '../../fabric');
export const CCAAS_BUILDER_DIR = join(DEFINITION_DIR, 'builders', 'ccaas');

type Yaml = Record<string, unknown>;

/** Deep-merges `override` into `base`: objects key by key, everything else replaced. */
export function mergeYaml(base: Yaml, override: Yaml): Yaml {
  const out: Yaml = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeYaml(current, value) : value;
  }
  return out;
}

function isObject(v: unknown): v is Yaml {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readYaml(path: string): Promise<Yaml> {
  const value: unknown = parse(await readFile(path, 'utf8'));
  if (!isObject(value)) throw new Error(`${path} is not a YAML mapping`);
  return value;
}

/** Writes a peer's `core.yaml`: Fabric's sample, the project's overrides, then this node's addresses and paths. */
export async function writePeerConfig(fabricConfigDir: string, peer: PeerNode, org: OrganizationMaterial, cryptoDir: string): Promise<string> {
  const peerDir = join(cryptoDir, 'peerOrganizations', org.domain, 'peers', peer.name);
  const address = `127.0.0.1:${peer.port}`;
  const node: Yaml = {
    peer: {
      id: peer.name,
      networkId: 'citizen-vault',
      listenAddress: address,
      address,
      chaincodeListenAddress: `127.0.0.1:${peer.chaincodePort}`,
      chaincodeAddress: `127.0.0.1:${peer.chaincodePort}`,
      gossip: { bootstrap: address, endpoint: address, externalEndpoint: address },
      tls: {
        cert: { file: join(peerDir, 'tls', 'server.crt') },
        key: { file: join(peerDir, 'tls', 'server.key') },
        rootcert: { file: join(peerDir, 'tls', 'ca.crt') },
      },
      fileSystemPath: join(peer.dir, 'data'),
      mspConfigPath: join(peerDir, 'msp'),
      localMspId: peer.mspId,
    },
    chaincode: { externalBuilders: [{ name: 'ccaas', path: CCAAS_BUILDER_DIR, propagateEnvironment: [] }] },
    ledger: { snapshots: { rootDir: join(peer.dir, 'snapshots') } },
    operations: { listenAddress: `127.0.0.1:${peer.operationsPort}` },
  };
  const config = mergeYaml(mergeYaml(await readYaml(join(fabricConfigDir, 'core.yaml')), await readYaml(join(DEFINITION_DIR, 'core.overrides.yaml'))), node);
  await mkdir(peer.dir, { recursive: true });
  await writeFile(join(peer.dir, 'core.yaml'), stringify(config));
  return peer.dir;
}

/** Writes an orderer's `orderer.yaml` the same way. */
export async function writeOrdererConfig(fabricConfigDir: string, orderer: OrdererNode, org: OrdererOrganizationMaterial): Promise<string> {
  const own = org.orderers.find((o) => o.name === orderer.name);
  if (!own) throw new Error(`no crypto material for ${orderer.name}`);
  const tlsCa = join(own.mspDir, '..', 'tls', 'ca.crt');
  const node: Yaml = {
    General: {
      ListenAddress: '127.0.0.1',
      ListenPort: orderer.port,
      TLS: { PrivateKey: own.tlsKeyPath, Certificate: own.tlsCertPath, RootCAs: [tlsCa] },
      // Raft traffic shares the orderer's listener; each node presents its TLS pair to the others.
      Cluster: { ClientCertificate: own.tlsCertPath, ClientPrivateKey: own.tlsKeyPath },
      LocalMSPDir: own.mspDir,
      LocalMSPID: org.mspId,
    },
    FileLedger: { Location: join(orderer.dir, 'ledger') },
    Consensus: { WALDir: join(orderer.dir, 'etcdraft', 'wal'), SnapDir: join(orderer.dir, 'etcdraft', 'snapshot') },
    Operations: { ListenAddress: `127.0.0.1:${orderer.operationsPort}` },
    Admin: {
      ListenAddress: `127.0.0.1:${orderer.adminPort}`,
      TLS: { Certificate: own.tlsCertPath, PrivateKey: own.tlsKeyPath, RootCAs: [tlsCa], ClientRootCAs: [tlsCa] },
    },
  };
  const config = mergeYaml(
    mergeYaml(await readYaml(join(fabricConfigDir, 'orderer.yaml')), await readYaml(join(DEFINITION_DIR, 'orderer.overrides.yaml'))),
    node,
  );
  await mkdir(orderer.dir, { recursive: true });
  await writeFile(join(orderer.dir, 'orderer.yaml'), stringify(config));
  return orderer.dir;
}

/** Fills `network/fabric/configtx.yaml`'s placeholders for this layout and writes it where configtxgen reads it. */
export async function writeChannelConfig(
  layout: NetworkLayout,
  orderers: OrdererOrganizationMaterial,
  peers: OrganizationMaterial[],
  batchTimeout: string,
): Promise<string> {
  const template = await readFile(join(DEFINITION_DIR, 'configtx.yaml'), 'utf8');
  const mspDir = (mspId: string) => {
    const org = peers.find((p) => p.mspId === mspId);
    if (!org) throw new Error(`no crypto material for ${mspId}`);
    return join(layout.cryptoDir, 'peerOrganizations', org.domain, 'msp');
  };
  const values: Record<string, string> = {
    ORDERER_MSP_DIR: orderers.mspDir,
    OPERATOR_MSP_DIR: mspDir('VaultOperatorMSP'),
    AUTHORITY_MSP_DIR: mspDir('AuthorityMSP'),
    OPERATOR_PEER_PORT: String(layout.peers[0]!.port),
    AUTHORITY_PEER_PORT: String(layout.peers[1]!.port),
    BATCH_TIMEOUT: batchTimeout,
  };
  layout.orderers.forEach((o, i) => {
    values[`ORDERER${i}_ADDRESS`] = `127.0.0.1:${o.port}`;
    values[`ORDERER${i}_PORT`] = String(o.port);
    values[`ORDERER${i}_TLS_CERT`] = orderers.orderers[i]!.tlsCertPath;
  });
  const text = template.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`configtx.yaml: no value for \${${name}}`);
    return value;
  });
  const dir = join(layout.dataDir, 'channel');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'configtx.yaml'), text);
  return dir;
}
