import { exportJWK, generateKeyPair, importJWK, importPKCS8 } from 'jose';
// jose is ESM-only: its types reach the CommonJS build's declarations as an import's types, never as a require.
import type { CryptoKey, JWK } from 'jose' with { 'resolution-mode': 'import' };

/** A private key as a JWK object or a PKCS#8 PEM string. */
export type PrivateKeyInput = JWK | string;

export interface OrganizationKeys {
  /** Signs client assertions (ES256). Keep it secret. */
  signingKey: JWK;
  /** Opens data encrypted to the organisation (X25519). Keep it secret. */
  encryptionKey: JWK;
  /** The public keys to register with the operator (`POST /v1/organizations` → `jwks`). */
  jwks: { keys: JWK[] };
}

/**
 * Generates an organisation's two key pairs and the public JWKS to register.
 *
 * @example
 * const keys = await generateOrganizationKeys();
 * // give keys.jwks to the exchange operator; store keys.signingKey and keys.encryptionKey safely
 */
export async function generateOrganizationKeys(): Promise<OrganizationKeys> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const kid = (prefix: string) => `${prefix}-${new Date().toISOString().slice(0, 10)}`;
  const signingKid = kid('sig');
  const encryptionKid = kid('enc');
  return {
    signingKey: { ...(await exportJWK(signing.privateKey)), kid: signingKid, alg: 'ES256', use: 'sig' },
    encryptionKey: { ...(await exportJWK(encryption.privateKey)), kid: encryptionKid, alg: 'ECDH-ES', use: 'enc' },
    jwks: {
      keys: [
        { ...(await exportJWK(signing.publicKey)), kid: signingKid, alg: 'ES256', use: 'sig' },
        { ...(await exportJWK(encryption.publicKey)), kid: encryptionKid, alg: 'ECDH-ES', use: 'enc' },
      ],
    },
  };
}

export async function importPrivateKey(input: PrivateKeyInput, alg: 'ES256' | 'ECDH-ES'): Promise<{ key: CryptoKey; kid: string | undefined }> {
  if (typeof input === 'string') return { key: (await importPKCS8(input, alg)) as CryptoKey, kid: undefined };
  if (!input.d) throw new TypeError('a private key is needed (the JWK has no "d")');
  return { key: (await importJWK(input, alg)) as CryptoKey, kid: input.kid };
}
