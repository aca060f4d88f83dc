import sodium from 'libsodium-wrappers';
import { loadOrCreateKeyFile } from '../infra/key-file.js';

await sodium.ready;

/** A 32-byte secret: from configuration (base64) in production, generated into the data directory (0600) in development. */
export async function loadOrCreateSecret(path: string, fromConfig: Uint8Array | undefined): Promise<Uint8Array> {
  if (fromConfig) return fromConfig;
  const key = Buffer.from((await loadOrCreateKeyFile(path, () => Buffer.from(sodium.randombytes_buf(32)).toString('base64') + '\n')).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key`);
  return key;
}
