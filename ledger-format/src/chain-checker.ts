import type { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from './block-hash.js';

/** A break in a hash chain: the block where it shows, and why. */
export interface ChainProblem {
  block: number;
  reason: string;
}

/**
 * Checks one block against the header hash of the block before it (none for block 0): its number,
 * its data hash over its transactions, and its previous-hash link. Returns its own header hash,
 * the link for the next block, or undefined when the block has no header.
 */
export function checkLink(block: common.Block, number: number, previous: Buffer | undefined, problems: ChainProblem[]): Buffer | undefined {
  const header = block.getHeader();
  if (!header) {
    problems.push({ block: number, reason: 'block has no header' });
    return undefined;
  }
  if (header.getNumber() !== number) problems.push({ block: number, reason: `header says block ${header.getNumber()}` });
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (!blockDataHash(data).equals(header.getDataHash_asU8())) {
    problems.push({ block: number, reason: "data hash does not match the block's transactions" });
  }
  const expectedPrevious = number === 0 ? Buffer.alloc(0) : previous;
  if (expectedPrevious && !expectedPrevious.equals(header.getPreviousHash_asU8())) {
    problems.push({ block: number, reason: `previous hash does not match block ${number - 1}'s header hash` });
  }
  return blockHeaderHash(header);
}

/**
 * Verifies blocks as they arrive from any source (a block file, a Deliver stream, qscc): each
 * block's number, data hash and previous-hash link. Feed blocks in order from block 0.
 */
export class ChainChecker {
  readonly problems: ChainProblem[] = [];
  private previous: Buffer | undefined;
  height = 0;

  add(block: common.Block): void {
    this.previous = checkLink(block, this.height, this.previous, this.problems);
    this.height += 1;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }
}
