import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { loadOrCreateKeyFile } from '../infra/key-file.js';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** What `/.well-known/jwks.json` publishes. */
  jwks: { keys: JWK[] };
}

/** The API's token-signing key (ES256): generated on first start, kept with 0600 permissions, reused. */
export async function loadOrCreateSigningKeys(path: string): Promise<SigningKeys> {
  const jwk = JSON.parse(
    await loadOrCreateKeyFile(path, async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = `api-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`;
      return JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid });
    }),
  ) as JWK;
  const { d: _private, ...publicJwk } = jwk;
  return {
    kid: jwk.kid!,
    privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey,
    jwks: { keys: [publicJwk] },
  };
}
