import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DevnetOptions } from '@citizen-vault/network';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { LedgerIdentity } from '../ledger/fabric-ledger.js';
import { identityFromConnectionFile } from './ledger-identity.js';

const ORGANIZATIONS = [
  { mspId: 'VaultOperatorMSP', domain: 'vault.citizenvault.vn' },
  { mspId: 'AuthorityMSP', domain: 'authority.citizenvault.vn' },
];

/** What the devnet's thread is started with: the devnet's options, less its logger. */
export type DevnetThreadOptions = Omit<DevnetOptions, 'log'>;

/** What the devnet's thread says to the API's. */
export type DevnetThreadMessage =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'ready'; endpoint: string }
  | { type: 'failed'; message: string }
  | { type: 'closed'; error?: string };

/** The embedded devnet as the API sees it: where it answers, and how to stop it. */
export interface EmbeddedDevnet {
  readonly endpoint: string;
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 15_000;

/**
 * The embedded default's ledger: the devnet emulator with the Citizen Vault chaincode, in a thread
 * of its own (`embedded-devnet-thread.ts`), and the operator's user and admin identities on it.
 * This is the only file of the API that loads the devnet, and only `npm start` in embedded mode
 * loads this file (a dynamic import in main.ts).
 *
 * The devnet dying on its own thread takes the process down with it, as it did when it shared
 * the API's: an API whose ledger is gone cannot commit a consent.
 */
export async function startEmbeddedDevnet(
  config: Config & { fabric: { kind: 'embedded' } },
  logger: Logger,
): Promise<{ devnet: EmbeddedDevnet; identity: LedgerIdentity; adminIdentity: LedgerIdentity }> {
  const chaincodeDir = dirname(createRequire(import.meta.url).resolve('@citizen-vault/chaincode/package.json'));
  const options: DevnetThreadOptions = {
    dataDir: join(config.dataDir, 'devnet'),
    port: config.fabric.port,
    channel: config.channel,
    organizations: ORGANIZATIONS,
    chaincodes: [{ name: config.chaincode, path: chaincodeDir }],
  };
  const worker = new Worker(new URL('./embedded-devnet-thread.js', import.meta.url), { workerData: options });
  let closing: Promise<void> | undefined;
  let onClosed: ((error?: string) => void) | undefined;
  const endpoint = await new Promise<string>((resolve, reject) => {
    let started = false;
    worker.on('message', (m: DevnetThreadMessage) => {
      if (m.type === 'log') logger[m.level](m.fields ?? {}, m.message);
      else if (m.type === 'ready') {
        started = true;
        resolve(m.endpoint);
      } else if (m.type === 'failed') reject(new Error(m.message));
      else onClosed?.(m.error);
    });
    worker.on('error', (err) => {
      if (!started) return reject(err);
      if (closing) return logger.error({ err }, 'error while closing the embedded devnet');
      logger.fatal({ err }, 'the embedded devnet failed; stopping');
      process.exit(1);
    });
    worker.on('exit', (code) => {
      if (!started) reject(new Error(`the embedded devnet's thread exited (${code}) before it started`));
      else if (!closing) {
        logger.fatal({ code }, "the embedded devnet's thread exited; stopping");
        process.exit(1);
      }
    });
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  const devnet: EmbeddedDevnet = {
    endpoint,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn('the embedded devnet did not close in time; ending its thread');
          resolve();
        }, CLOSE_TIMEOUT_MS);
        onClosed = (error) => {
          if (error) logger.error({ error }, 'error while closing the embedded devnet');
          clearTimeout(timer);
          resolve();
        };
        worker.postMessage({ type: 'close' });
      }).then(() => worker.terminate().then(() => undefined));
      return closing;
    },
  };
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
