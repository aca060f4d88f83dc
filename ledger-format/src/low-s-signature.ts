import { sign, verify, type KeyObject } from 'node:crypto';
import { LedgerFormatError } from './errors.js';
import { decodeDerSignature, encodeDerSignature } from './lib/der.js';

// Order of the P-256 and P-384 groups; Fabric accepts only "low-S" ECDSA signatures (s ≤ n/2).
const CURVE_ORDER: Record<string, bigint> = {
  prime256v1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** Signs as a Fabric peer does: SHA-256 ECDSA, DER, normalised to low-S (Ed25519 as is). */
export function signLowS(privateKey: KeyObject, data: Uint8Array): Buffer {
  const algorithm = signingAlgorithm(privateKey);
  return lowS(privateKey, sign(algorithm, data, privateKey));
}

/** `signLowS` on libuv's thread pool (node:crypto's callback form), leaving the event loop free. */
export function signLowSAsync(privateKey: KeyObject, data: Uint8Array): Promise<Buffer> {
  const algorithm = signingAlgorithm(privateKey);
  return new Promise((resolve, reject) => {
    sign(algorithm, data, privateKey, (err, der) => {
      if (err) reject(err);
      else {
        try {
          resolve(lowS(privateKey, der));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}

/** Verifies an ECDSA (DER, SHA-256) or Ed25519 signature the way Fabric's MSP does, low-S included. */
export function verifyLowS(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const algorithm = verifiable(publicKey, signature);
  if (algorithm === false) return false;
  try {
    return verify(algorithm, data, publicKey, signature);
  } catch {
    return false;
  }
}

/** `verifyLowS` on libuv's thread pool (node:crypto's callback form), leaving the event loop free. */
export function verifyLowSAsync(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const algorithm = verifiable(publicKey, signature);
  if (algorithm === false) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      verify(algorithm, data, publicKey, signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

function signingAlgorithm(privateKey: KeyObject): string | null {
  if (privateKey.asymmetricKeyType === 'ed25519') return null;
  if (CURVE_ORDER[privateKey.asymmetricKeyDetails?.namedCurve ?? ''] === undefined) {
    throw new LedgerFormatError('unsupported_key', 'unsupported signing key curve');
  }
  return 'sha256';
}

function lowS(privateKey: KeyObject, signature: Buffer): Buffer {
  const order = CURVE_ORDER[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (privateKey.asymmetricKeyType === 'ed25519' || order === undefined) return signature;
  const rs = decodeDerSignature(signature);
  if (rs === undefined) throw new LedgerFormatError('malformed', 'signer produced an invalid DER signature');
  return rs.s > order / 2n ? encodeDerSignature(rs.r, order - rs.s) : signature;
}

/** The digest algorithm to verify with, or false when the signature cannot be one Fabric accepts. */
function verifiable(publicKey: KeyObject, signature: Uint8Array): string | null | false {
  if (signature.length === 0) return false;
  if (publicKey.asymmetricKeyType === 'ed25519') return null;
  const order = CURVE_ORDER[publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (order === undefined) return false;
  const rs = decodeDerSignature(signature);
  if (rs === undefined || rs.s > order / 2n) return false;
  return 'sha256';
}
