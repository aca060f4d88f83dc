import { ChaincodeError } from './errors.js';
import { verifyConsistency } from './merkle.js';
import type { TreeHeadValue } from './schemas.js';

export interface TreeHeadAnchor extends Omit<TreeHeadValue, 'consistencyProof'> {
  anchoredAt: string;
  sequence: number;
}

/**
 * The access log only grows: a new tree head must be larger than the last one, or the very same
 * head again (anchoring is then a no-op), never smaller and never a different root at the same size.
 * A larger head must come with an RFC 6962 consistency proof from the last anchored head, so the
 * ledger itself refuses the head of a log whose history was rewritten.
 */
export function checkMonotonic(previous: TreeHeadAnchor | undefined, next: TreeHeadValue): 'append' | 'same' {
  if (!previous) return 'append';
  if (next.treeSize > previous.treeSize) {
    const proof = (next.consistencyProof ?? []).map((h) => Buffer.from(h, 'hex'));
    if (!verifyConsistency(previous.treeSize, next.treeSize, Buffer.from(previous.rootHash, 'hex'), Buffer.from(next.rootHash, 'hex'), proof)) {
      throw new ChaincodeError(
        'anchor_not_consistent',
        `tree head ${next.treeSize} is not proven consistent with the anchored head ${previous.treeSize}: the log was rewritten, or the proof is missing`,
      );
    }
    return 'append';
  }
  if (next.treeSize === previous.treeSize && next.rootHash === previous.rootHash) return 'same';
  if (next.treeSize === previous.treeSize) {
    throw new ChaincodeError('anchor_not_monotonic', `a different root for tree size ${next.treeSize} is already anchored: the log was rewritten`);
  }
  throw new ChaincodeError('anchor_not_monotonic', `tree size ${next.treeSize} is smaller than the anchored ${previous.treeSize}`);
}
