import { ApiProblem, call } from '../api/client';
import type { SignedTreeHead } from '../api/types';
import { verifyInclusion, verifyTreeHeadSignature } from './merkle';

export type EntryVerification =
  | { outcome: 'verified'; treeSize: number; timestamp: string; anchored: boolean }
  | { outcome: 'pending' }
  | { outcome: 'bad_signature' }
  | { outcome: 'not_included' };

/**
 * Checks one access-log entry end to end in the browser: the latest signed tree head's signature
 * with the log's public key, then the entry's inclusion proof against that head's root.
 */
export async function verifyEntry(entry: { leafIndex: number; logEntry: string }): Promise<EntryVerification> {
  const [sth, key] = await Promise.all([
    call<SignedTreeHead>('/v1/log/sth').catch((err: unknown) => {
      // No head signed yet: the entry is logged but not under a signature so far.
      if (err instanceof ApiProblem && err.code === 'not_found' && !err.detail.startsWith('no route for')) return undefined;
      throw err;
    }),
    call<{ keyId: string; jwk: { kty: string; crv: string; x: string } }>('/v1/log/public-key'),
  ]);
  if (!sth) return { outcome: 'pending' };
  if (sth.keyId !== key.keyId || !(await verifyTreeHeadSignature(sth, key.jwk))) return { outcome: 'bad_signature' };
  if (entry.leafIndex >= sth.treeSize) return { outcome: 'pending' };
  const proof = await call<{ auditPath: string[] }>(`/v1/log/proof/inclusion?leafIndex=${entry.leafIndex}&treeSize=${sth.treeSize}`);
  const included = await verifyInclusion(entry.logEntry, entry.leafIndex, sth.treeSize, proof.auditPath, sth.rootHash);
  return included ? { outcome: 'verified', treeSize: sth.treeSize, timestamp: sth.timestamp, anchored: sth.anchor !== null } : { outcome: 'not_included' };
}
