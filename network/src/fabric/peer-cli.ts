import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import type { NetworkLayout, PeerNode } from './layout.js';

const run = promisify(execFile);

/** What the peer CLI needs to act as an organisation's admin against its own peer. */
export interface PeerAdmin {
  peer: PeerNode;
  binDir: string;
  cryptoDir: string;
}

export class PeerCommandError extends Error {
  override readonly name = 'PeerCommandError';
}

function adminEnv(admin: PeerAdmin): NodeJS.ProcessEnv {
  const org = join(admin.cryptoDir, 'peerOrganizations', admin.peer.domain);
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FABRIC_CFG_PATH: admin.peer.dir,
    FABRIC_LOGGING_SPEC: 'WARNING',
    CORE_PEER_ADDRESS: `127.0.0.1:${admin.peer.port}`,
    CORE_PEER_LOCALMSPID: admin.peer.mspId,
    CORE_PEER_MSPCONFIGPATH: join(org, 'users', `Admin@${admin.peer.domain}`, 'msp'),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: join(org, 'peers', admin.peer.name, 'tls', 'ca.crt'),
  };
}

export async function peerCommand(admin: PeerAdmin, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout, stderr } = await run(join(admin.binDir, 'peer'), args, { env: adminEnv(admin), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new PeerCommandError(`peer ${args.slice(0, 3).join(' ')} as ${admin.peer.mspId}: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/** The flags that reach the orderers over TLS. */
export function ordererFlags(layout: NetworkLayout): string[] {
  const ca = join(layout.cryptoDir, 'ordererOrganizations', 'orderer.citizenvault.vn', 'msp', 'tlscacerts', 'tlsca.orderer.citizenvault.vn-cert.pem');
  return ['-o', `127.0.0.1:${layout.orderers[0]!.port}`, '--tls', '--cafile', ca];
}

/**
 * A chaincode-as-a-service package, as `peer lifecycle chaincode package` would make one for an
 * external builder: `metadata.json` (`type: ccaas`) and `code.tar.gz` holding `connection.json`.
 */
export async function writeCcaasPackage(path: string, label: string, address: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'ccaas-'));
  try {
    // tls_required must be a JSON boolean: the peer does not parse the string "false".
    await writeFile(join(work, 'connection.json'), JSON.stringify({ address, dial_timeout: '10s', tls_required: false }));
    await writeFile(join(work, 'metadata.json'), JSON.stringify({ type: 'ccaas', label }));
    await run('tar', ['-C', work, '-czf', join(work, 'code.tar.gz'), 'connection.json']);
    await mkdir(join(path, '..'), { recursive: true });
    await run('tar', ['-C', work, '-czf', path, 'metadata.json', 'code.tar.gz']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface ChaincodeDefinition {
  name: string;
  /** Each organisation's own package (its connection.json names its own chaincode server), in the admins' order. */
  packageIds: string[];
  version?: string;
  sequence?: number;
  /** A chaincode endorsement policy in Fabric notation; the channel's `/Channel/Application/Endorsement` (MAJORITY) when absent. */
  signaturePolicy?: string;
  /** Path to a private data collections config (`collections_config.json`). */
  collectionsConfig?: string;
}

/** Approves the definition for every organisation, then commits it with both organisations' peers endorsing. */
export async function defineChaincode(layout: NetworkLayout, admins: PeerAdmin[], def: ChaincodeDefinition): Promise<void> {
  const common = [
    '--channelID',
    layout.channel,
    '--name',
    def.name,
    '--version',
    def.version ?? '1.0',
    '--sequence',
    String(def.sequence ?? 1),
    ...(def.signaturePolicy ? ['--signature-policy', def.signaturePolicy] : []),
    ...(def.collectionsConfig ? ['--collections-config', def.collectionsConfig] : []),
  ];
  for (const [i, admin] of admins.entries()) {
    await peerCommand(admin, [
      'lifecycle',
      'chaincode',
      'approveformyorg',
      ...ordererFlags(layout),
      ...common,
      '--package-id',
      def.packageIds[i]!,
      '--waitForEvent',
    ]);
  }
  const peers = admins.flatMap((a) => ['--peerAddresses', `127.0.0.1:${a.peer.port}`, '--tlsRootCertFiles', adminEnv(a).CORE_PEER_TLS_ROOTCERT_FILE!]);
  await peerCommand(admins[0]!, ['lifecycle', 'chaincode', 'commit', ...ordererFlags(layout), ...common, ...peers, '--waitForEvent']);
}
