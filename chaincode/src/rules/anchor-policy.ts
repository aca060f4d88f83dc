import { ChaincodeError } from './errors.js';
import type { TreeHeadValue } from './schemas.js';

export interface TreeHeadAnchor extends TreeHeadValue {
  anchoredAt: string;
  sequence: number;
}

/**
 * The access log only grows: a new tree head must be larger than the last one, or the very same
 * head again (anchoring is then a no-op), never smaller and never a different root at the same size.
 */
export function checkMonotonic(previous: TreeHeadAnchor | undefined, next: TreeHeadValue): 'append' | 'same' {
  if (!previous) return 'append';
  if (next.treeSize > previous.treeSize) return 'append';
  if (next.treeSize === previous.treeSize && next.rootHash === previous.rootHash) return 'same';
  if (next.treeSize === previous.treeSize) {
    throw new ChaincodeError('anchor_not_monotonic', `a different root for tree size ${next.treeSize} is already anchored: the log was rewritten`);
  }
  throw new ChaincodeError('anchor_not_monotonic', `tree size ${next.treeSize} is smaller than the anchored ${previous.treeSize}`);
}
