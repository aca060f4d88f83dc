import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers';
import { loadOrCreateKeyFile } from '../infra/key-file.js';
import { open, seal } from '../infra/aead.js';
import { keyBinding } from './envelope.js';

await sodium.ready;

/** A 32-byte secret: from configuration (base64) in production, generated into the data directory (0600) in development. */
export async function loadOrCreateSecret(path: string, fromConfig: Uint8Array | undefined): Promise<Uint8Array> {
  if (fromConfig) return fromConfig;
  const key = Buffer.from((await loadOrCreateKeyFile(path, () => newSecretFile())).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key`);
  return key;
}

function newSecretFile(): string {
  return Buffer.from(sodium.randombytes_buf(32)).toString('base64') + '\n';
}

/**
 * The key-encryption keys by version. Several live at once so that a rotation needs no downtime: the
 * current version wraps every new data key, the older ones still unwrap the keys not yet rewrapped.
 * Each wrapped key is bound to its subject and to the version that wrapped it (`keyBinding`).
 */
export class KekRing {
  readonly current: number;
  private readonly keys: ReadonlyMap<number, Uint8Array>;

  constructor(keys: ReadonlyMap<number, Uint8Array>, current?: number) {
    if (keys.size === 0) throw new Error('a KEK ring needs at least one key');
    this.keys = keys;
    this.current = current ?? Math.max(...keys.keys());
    if (!keys.has(this.current)) throw new Error(`the current KEK version ${this.current} has no key`);
  }

  get versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  has(version: number): boolean {
    return this.keys.has(version);
  }

  /** Seals a data key under a version (the current one unless told). */
  wrap(subjectId: string, dataKey: Uint8Array, version = this.current): { wrapped: Buffer; version: number } {
    return { wrapped: seal(this.key(version), dataKey, keyBinding(subjectId, version)), version };
  }

  unwrap(subjectId: string, wrapped: Uint8Array, version: number): Uint8Array {
    return open(this.key(version), wrapped, keyBinding(subjectId, version));
  }

  /** Opens a key wrapped under `from` and seals it again under `to`. */
  rewrap(subjectId: string, wrapped: Uint8Array, from: number, to: number): Buffer {
    return this.wrap(subjectId, this.unwrap(subjectId, wrapped, from), to).wrapped;
  }

  /** The ring without the given versions (retired ones); the current version cannot be left out. */
  without(versions: Iterable<number>): KekRing {
    const drop = new Set(versions);
    if (drop.has(this.current)) throw new Error(`KEK version ${this.current} is retired; it cannot wrap new data keys (set CV_KEK_CURRENT to a newer version)`);
    return new KekRing(new Map([...this.keys].filter(([v]) => !drop.has(v))), this.current);
  }

  private key(version: number): Uint8Array {
    const key = this.keys.get(version);
    if (!key) throw new Error(`no key-encryption key of version ${version} is configured`);
    return key;
  }
}

const VERSION_FILE = /^kek-v(\d{1,6})\.key$/;

/**
 * The KEK ring. Version 1 is `CV_KEK` or, in development, `kek.key` in the keys directory (created on
 * first start, as before rotation existed). Further versions come from `CV_KEKS`, or in development
 * from `kek-v<N>.key` files beside it (`createKekVersionFile` makes the next one).
 */
export async function loadKekRing(
  keysDir: string,
  secrets: { kek: Uint8Array | undefined; keks: ReadonlyMap<number, Uint8Array> | undefined; kekCurrent: number | undefined },
): Promise<KekRing> {
  const keys = new Map<number, Uint8Array>([[1, await loadOrCreateSecret(join(keysDir, 'kek.key'), secrets.kek)]]);
  if (secrets.keks) {
    for (const [v, key] of secrets.keks) keys.set(v, key);
  } else if (!secrets.kek) {
    for (const file of await readdir(keysDir)) {
      const match = VERSION_FILE.exec(file);
      if (match && Number(match[1]) >= 2) keys.set(Number(match[1]), await loadOrCreateSecret(join(keysDir, file), undefined));
    }
  }
  if (secrets.kekCurrent !== undefined && !keys.has(secrets.kekCurrent))
    throw new Error(`CV_KEK_CURRENT is ${secrets.kekCurrent} but no key of that version is configured`);
  return new KekRing(keys, secrets.kekCurrent);
}

/** Development only: writes the next KEK version's key file (0600) and answers its version. */
export async function createKekVersionFile(keysDir: string, ring: KekRing): Promise<number> {
  const version = Math.max(...ring.versions) + 1;
  await loadOrCreateKeyFile(join(keysDir, `kek-v${version}.key`), () => newSecretFile());
  return version;
}
