import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** What `/.well-known/jwks.json` publishes. */
  jwks: { keys: JWK[] };
}

/** The API's token-signing key (ES256): generated on first start, kept with 0600 permissions, reused. */
export async function loadOrCreateSigningKeys(path: string): Promise<SigningKeys> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `api-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}` };
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      jwk = JSON.parse(await readFile(path, 'utf8')) as JWK; // another instance created it first
    });
  }
  const { d: _private, ...publicJwk } = jwk;
  return {
    kid: jwk.kid!,
    privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
    jwks: { keys: [publicJwk] },
  };
}
