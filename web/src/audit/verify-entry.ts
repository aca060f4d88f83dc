import { hexToBytes, leafHash, verifyConsistency, verifyInclusion, verifyTreeHead, type LogPublicKey } from '@citizen-vault/sdk/log-proofs';
import { ApiProblem, call } from '../api/client';
import type { SignedTreeHead } from '../api/types';

/*
 * The proofs are checked with the SDK's verifier (WebCrypto only, no server trust): the portal, the
 * SDK and the auditor CLI give the same answer because they run the same code.
 */

export type EntryVerification =
  | { outcome: 'verified'; treeSize: number; timestamp: string; anchored: boolean }
  | { outcome: 'pending' }
  | { outcome: 'bad_signature' }
  | { outcome: 'not_included' };

/** A 404 that is the API's answer (no head signed yet), not a route the server lacks. */
const isEmptyLog = (err: unknown): boolean => err instanceof ApiProblem && err.code === 'not_found' && !err.detail.startsWith('no route for');

/**
 * Checks one access-log entry end to end in the browser: the latest signed tree head's signature
 * with the log's public key, then the entry's inclusion proof against that head's root.
 */
export async function verifyEntry(entry: { leafIndex: number; logEntry: string }): Promise<EntryVerification> {
  const [sth, key] = await Promise.all([
    call<SignedTreeHead>('/v1/log/sth').catch((err: unknown) => {
      if (isEmptyLog(err)) return undefined;
      throw err;
    }),
    call<LogPublicKey>('/v1/log/public-key'),
  ]);
  if (!sth) return { outcome: 'pending' };
  if (!(await verifyTreeHead(sth, key))) return { outcome: 'bad_signature' };
  if (entry.leafIndex >= sth.treeSize) return { outcome: 'pending' };
  const proof = await call<{ auditPath: string[] }>(`/v1/log/proof/inclusion?leafIndex=${entry.leafIndex}&treeSize=${sth.treeSize}`);
  const included = await verifyInclusion(
    await leafHash(entry.logEntry),
    entry.leafIndex,
    sth.treeSize,
    proof.auditPath.map(hexToBytes),
    hexToBytes(sth.rootHash),
  );
  return included ? { outcome: 'verified', treeSize: sth.treeSize, timestamp: sth.timestamp, anchored: Boolean(sth.anchor) } : { outcome: 'not_included' };
}

/** Does the log of size `second` extend the log of size `first`, by a consistency proof checked here? */
export async function verifyHeadsConsistent(first: { treeSize: number; rootHash: string }, second: { treeSize: number; rootHash: string }): Promise<boolean> {
  const proof = await call<{ consistencyPath: string[] }>(`/v1/log/proof/consistency?first=${first.treeSize}&second=${second.treeSize}`);
  return verifyConsistency(first.treeSize, second.treeSize, hexToBytes(first.rootHash), hexToBytes(second.rootHash), proof.consistencyPath.map(hexToBytes));
}
