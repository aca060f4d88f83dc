import { sign, verify, type KeyObject } from 'node:crypto';
import { LedgerFormatError } from './errors.js';
import { decodeDerSignature, encodeDerSignature } from './lib/der.js';

// Order of the P-256 and P-384 groups; Fabric accepts only "low-S" ECDSA signatures (s ≤ n/2).
const CURVE_ORDER: Record<string, bigint> = {
  'prime256v1': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'secp384r1':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/** Signs as a Fabric peer does: SHA-256 ECDSA, DER, normalised to low-S (Ed25519 as is). */
export function signLowS(privateKey: KeyObject, data: Uint8Array): Buffer {
  if (privateKey.asymmetricKeyType === 'ed25519') return sign(null, data, privateKey);
  const order = CURVE_ORDER[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (order === undefined) throw new LedgerFormatError('unsupported_key', 'unsupported signing key curve');
  const der = sign('sha256', data, privateKey);
  const rs = decodeDerSignature(der);
  if (rs === undefined) throw new LedgerFormatError('malformed', 'signer produced an invalid DER signature');
  return rs.s > order / 2n ? encodeDerSignature(rs.r, order - rs.s) : der;
}

/** Verifies an ECDSA (DER, SHA-256) or Ed25519 signature the way Fabric's MSP does, low-S included. */
export function verifyLowS(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length === 0) return false;
  if (publicKey.asymmetricKeyType === 'ed25519') return verify(null, data, publicKey, signature);
  const order = CURVE_ORDER[publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (order === undefined) return false;
  const rs = decodeDerSignature(signature);
  if (rs === undefined || rs.s > order / 2n) return false;
  try {
    return verify('sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}
