import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startDevnet, type Devnet } from '@citizen-vault/network';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { LedgerIdentity } from '../ledger/fabric-ledger.js';
import { identityFromConnectionFile } from './ledger-identity.js';

const ORGANIZATIONS = [
  { mspId: 'VaultOperatorMSP', domain: 'vault.citizenvault.vn' },
  { mspId: 'AuthorityMSP', domain: 'authority.citizenvault.vn' },
];

/**
 * The embedded default's ledger: the devnet emulator with the Citizen Vault chaincode, and the
 * operator's user and admin identities on it. This is the only file of the API that loads the
 * devnet, and only `npm start` in embedded mode loads this file (a dynamic import in main.ts).
 */
export async function startEmbeddedDevnet(
  config: Config & { fabric: { kind: 'embedded' } },
  logger: Logger,
): Promise<{ devnet: Devnet; identity: LedgerIdentity; adminIdentity: LedgerIdentity }> {
  const chaincodeDir = dirname(createRequire(import.meta.url).resolve('@citizen-vault/chaincode/package.json'));
  const devnet = await startDevnet({
    dataDir: join(config.dataDir, 'devnet'),
    port: config.fabric.port,
    channel: config.channel,
    organizations: ORGANIZATIONS,
    chaincodes: [{ name: config.chaincode, path: chaincodeDir }],
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  try {
    const connection = join(config.dataDir, 'devnet', 'connection.json');
    const identity = await identityFromConnectionFile(connection, ORGANIZATIONS[0]!.mspId);
    const adminIdentity = await identityFromConnectionFile(connection, ORGANIZATIONS[0]!.mspId, 'Admin');
    return { devnet, identity, adminIdentity };
  } catch (err) {
    await devnet.close();
    throw err;
  }
}
