import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CompactSign, type CryptoKey } from 'jose';
import { canonicalJson } from '@citizen-vault/chaincode/rules';

/**
 * The erasure certificate: what was destroyed, deleted and kept, for whom (the pseudonymous subject
 * and the request), signed by the vault with the API's signing key (ES256, the key of
 * /.well-known/jwks.json that also signs consent artefacts; header typ `erasure-certificate+jws`),
 * its SHA-256 over the canonical JSON anchored on the ledger (rights.RecordSubjectControl,
 * ERASURE_CERTIFIED). It holds no personal data, so it can be shown to an auditor as it is.
 */
export interface ErasureCertificate {
  type: 'citizen-vault/erasure-certificate/v1';
  certificateId: string;
  requestId: string;
  subjectId: string;
  requestReceivedAt: string;
  erasedAt: string;
  issuedAt: string;
  destroyed: {
    dataKey: true;
    wrappedKeyCopies: number;
    recordCiphertextsAndSalts: true;
    blindIndexEntry: 'overwritten with random bytes';
  };
  consentsRevoked: string[];
  removedFrom: { statisticsProjection: true; statisticsCube: true };
  copiesDeleted: Record<string, number>;
  storageCompacted: boolean;
  kept: string[];
}

export const KEPT = [
  'the pseudonymous ledger records (consents, record commitments, request steps, this certificate)',
  'the access-log leaves, which carry the pseudonymous subject id only',
  "the records' salted commitments, which cannot be linked to any value once the salts are gone",
];

export function certificateHash(certificate: ErasureCertificate): string {
  return createHash('sha256').update(canonicalJson(certificate)).digest('hex');
}

export async function signCertificate(certificate: ErasureCertificate, key: { kid: string; privateKey: CryptoKey }): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(certificate)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'erasure-certificate+jws', cty: 'application/json' })
    .sign(key.privateKey);
}

/**
 * Who may fetch the certificate once the blind index no longer finds them. When an ERASE request is
 * filed the citizen is signed in, so the vault keeps, for that request alone, a random salt and
 * HMAC-SHA256(claim key, salt ‖ national id), the claim key derived from the index key. The claim
 * matches only this request (the salt), cannot be tested against a list of national ids without the
 * key, and points at no data: it answers "is this caller the one who filed it?", nothing more.
 */
export function claimKeyFrom(indexKey: Uint8Array): Buffer {
  return createHmac('sha256', indexKey).update('cv:erasure-claim-key:v1').digest();
}

export function newClaim(claimKey: Uint8Array, nationalId: string): { salt: Buffer; hash: Buffer } {
  const salt = randomBytes(32);
  return { salt, hash: claimHash(claimKey, salt, nationalId) };
}

export function claimMatches(claimKey: Uint8Array, claim: { salt: Buffer; hash: Buffer }, nationalId: string): boolean {
  const hash = claimHash(claimKey, claim.salt, nationalId);
  return hash.length === claim.hash.length && timingSafeEqual(hash, claim.hash);
}

function claimHash(claimKey: Uint8Array, salt: Buffer, nationalId: string): Buffer {
  return createHmac('sha256', claimKey).update(salt).update(`|cv:erasure-claim:v1|${nationalId}`).digest();
}
