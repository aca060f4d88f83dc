import { createHash, createPublicKey } from 'node:crypto';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { DomainError } from '../errors/index.js';

/**
 * A credential's COSE public key as SPKI DER: the form the chaincode and an offline verifier check
 * signatures with. Only ES256 (ECDSA P-256) keys are taken: the one algorithm every platform
 * authenticator offers and the chaincode verifies with node:crypto alone.
 */
export function spkiOfCoseKey(coseKey: Uint8Array<ArrayBuffer>): { spki: Buffer; hash: string } {
  const key = decodeCredentialPublicKey(coseKey) as cose.COSEPublicKeyEC2;
  const x = key.get(cose.COSEKEYS.x);
  const y = key.get(cose.COSEKEYS.y);
  if (key.get(cose.COSEKEYS.kty) !== cose.COSEKTY.EC2 || key.get(cose.COSEKEYS.alg) !== cose.COSEALG.ES256 || key.get(cose.COSEKEYS.crv) !== 1 || !x || !y) {
    throw new DomainError('passkey_registration_invalid', 'only ES256 (P-256) passkeys are accepted');
  }
  const spki = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x).toString('base64url'), y: Buffer.from(y).toString('base64url') },
    format: 'jwk',
  }).export({ format: 'der', type: 'spki' });
  return { spki, hash: createHash('sha256').update(spki).digest('hex') };
}
