import { randomBytes } from 'node:crypto';
import sodium from 'libsodium-wrappers';

await sodium.ready;

const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

/**
 * Authenticated encryption with XChaCha20-Poly1305 (libsodium), shared by whatever seals data at rest:
 * the vault's envelope (the KEK wraps per-citizen data keys, data keys seal fields), webhook
 * secrets and the answers kept for idempotent retries.
 */
export function newDataKey(): Uint8Array {
  return sodium.crypto_aead_xchacha20poly1305_ietf_keygen();
}

export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: string): Buffer {
  // Node's CSPRNG: libsodium-wrappers' randombytes_buf costs ~0.1 ms a call here, six times the
  // encryption itself, which made it the bottleneck of rewrapping every data key (KEK rotation).
  const nonce = randomBytes(NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, nonce, key);
  return Buffer.concat([nonce, ciphertext]);
}

/** Opens a sealed value; throws if the key, the bytes or the associated data differ from sealing time. */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: string): Uint8Array {
  return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed.subarray(NONCE_BYTES), associatedData, sealed.subarray(0, NONCE_BYTES), key);
}
