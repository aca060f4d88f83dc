import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sodium from 'libsodium-wrappers';

await sodium.ready;

/** A 32-byte secret: from configuration (base64) in production, generated into the data directory (0600) in development. */
export async function loadOrCreateSecret(path: string, fromConfig: Uint8Array | undefined): Promise<Uint8Array> {
  if (fromConfig) return fromConfig;
  try {
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = sodium.randombytes_buf(32);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, Buffer.from(key).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'); // another instance wrote it first
  }
}
