/**
 * The embedded devnet's own thread: `npm start` runs the ledger emulator here, beside the API's
 * event loop rather than on it, so endorsing, ordering and committing blocks use the second core
 * instead of delaying the API's requests. The API reaches it over gRPC as it reaches real Fabric;
 * this thread only says when the devnet is up, forwards its log lines and closes it on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startDevnet, type DevnetOptions } from '@citizen-vault/network';
import type { DevnetThreadMessage, DevnetThreadOptions } from './embedded-devnet.js';

const port = parentPort;
if (!port) throw new Error('embedded-devnet-thread runs only as a worker thread');
const post = (message: DevnetThreadMessage): void => port.postMessage(message);

const options = workerData as DevnetThreadOptions;
const log: NonNullable<DevnetOptions['log']> = (level, message, fields) => {
  try {
    post({ type: 'log', level, message, fields });
  } catch {
    // a field the structured clone cannot carry (a function, a socket): send what JSON keeps of it
    post({ type: 'log', level, message, fields: JSON.parse(JSON.stringify(fields ?? {})) as Record<string, unknown> });
  }
};

try {
  const devnet = await startDevnet({ ...options, log });
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    devnet.close().then(
      () => post({ type: 'closed' }),
      (err: unknown) => post({ type: 'closed', error: String(err) }),
    );
  });
  post({ type: 'ready', endpoint: devnet.endpoint });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
