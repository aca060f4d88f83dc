import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Reads a key file, or creates it with `create()` on first start: the folder 0700, the file 0600,
 * written with `wx` so that two instances starting together agree on one key (the loser reads the
 * winner's). Only a missing file is created; any other read error is thrown.
 */
export async function loadOrCreateKeyFile(path: string, create: () => string | Promise<string>): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const content = await create();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFile(path, 'utf8'); // another instance created it first
  }
}
