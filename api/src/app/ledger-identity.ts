import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { LedgerIdentity } from '../ledger/fabric-ledger.js';

/** How the API reaches the ledger: from the configuration's explicit paths or from a connection file. */
export async function ledgerIdentityFrom(config: Config): Promise<LedgerIdentity> {
  const fabric = config.fabric;
  if (fabric.kind === 'embedded') throw new Error('the embedded devnet must be started by the caller (see main.ts)');
  if (fabric.kind === 'explicit') {
    return {
      endpoint: fabric.endpoint,
      hostAlias: fabric.hostAlias,
      mspId: fabric.mspId,
      tlsCaPem: await readFile(fabric.tlsCaPath, 'utf8'),
      certPem: await readFile(fabric.certPath, 'utf8'),
      keyPem: await readFile(fabric.keyPath, 'utf8'),
    };
  }
  return identityFromConnectionFile(fabric.path, fabric.mspId);
}

/** A connection file may name its organisation's Admin too: needed once, to open the exchange on a new ledger. */
export async function adminIdentityFrom(config: Config): Promise<LedgerIdentity | undefined> {
  if (config.fabric.kind !== 'connection-file') return undefined;
  return identityFromConnectionFile(config.fabric.path, config.fabric.mspId, 'Admin').catch(() => undefined);
}

interface ConnectionFile {
  endpoint: string;
  organizations: { mspId: string; peerHostAlias: string; tlsCACert: string; endpoint?: string; users: Record<string, { cert: string; key: string }> }[];
}

/**
 * Reads a `connection.json` as the devnet and `npm run fabric -- up` write it, for the given (or
 * first) organisation's User1: on a real network each organisation has its own peer (`endpoint`).
 */
export async function identityFromConnectionFile(path: string, mspId?: string, user = 'User1'): Promise<LedgerIdentity> {
  const connection = JSON.parse(await readFile(path, 'utf8')) as ConnectionFile;
  const org = mspId ? connection.organizations.find((o) => o.mspId === mspId) : connection.organizations[0];
  if (!org) throw new Error(`${path} has no organisation ${mspId ?? ''}`);
  const u = org.users[user];
  if (!u) throw new Error(`${path} has no user ${user} for ${org.mspId}`);
  // Paths in the file are relative to the file, so a connection file and its certificates can be copied together.
  const at = (file: string): string => resolve(dirname(path), file);
  return {
    endpoint: org.endpoint ?? connection.endpoint,
    hostAlias: org.peerHostAlias,
    mspId: org.mspId,
    tlsCaPem: await readFile(at(org.tlsCACert), 'utf8'),
    certPem: await readFile(at(u.cert), 'utf8'),
    keyPem: await readFile(at(u.key), 'utf8'),
  };
}
