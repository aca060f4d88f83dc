import { createHash, sign, verify, type KeyObject } from 'node:crypto';

// Order of the P-256 and P-384 groups; Fabric accepts only "low-S" ECDSA signatures (s ≤ n/2).
const CURVE_ORDER: Record<string, bigint> = {
  'prime256v1': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'secp384r1':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Fabric's ComputeTxID: hex(sha256(nonce ‖ serialized creator)). */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
  return sha256(nonce, creator).toString('hex');
}

/** Verifies an ECDSA (DER, SHA-256) or Ed25519 signature the way Fabric's MSP does, low-S included. */
export function verifySignature(publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
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

/** Signs as a Fabric peer does: SHA-256 ECDSA, DER, normalised to low-S. */
export function signLowS(privateKey: KeyObject, data: Uint8Array): Buffer {
  if (privateKey.asymmetricKeyType === 'ed25519') return sign(null, data, privateKey);
  const order = CURVE_ORDER[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (order === undefined) throw new Error('unsupported signing key curve');
  const der = sign('sha256', data, privateKey);
  const rs = decodeDerSignature(der);
  if (rs === undefined) throw new Error('signer produced an invalid DER signature');
  return rs.s > order / 2n ? encodeDerSignature(rs.r, order - rs.s) : der;
}

function decodeDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  // SEQUENCE { INTEGER r, INTEGER s } with short-form lengths (P-256/P-384 signatures fit).
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let offset = 2;
  const readInt = (): bigint | undefined => {
    if (der[offset] !== 0x02) return undefined;
    const len = der[offset + 1];
    if (len === undefined || len === 0 || offset + 2 + len > der.length) return undefined;
    const bytes = der.subarray(offset + 2, offset + 2 + len);
    offset += 2 + len;
    return BigInt('0x' + Buffer.from(bytes).toString('hex'));
  };
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || offset !== der.length) return undefined;
  return { r, s };
}

function encodeDerSignature(r: bigint, s: bigint): Buffer {
  const int = (v: bigint): Buffer => {
    let hex = v.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    let bytes = Buffer.from(hex, 'hex');
    if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
