import { describe, expect, it } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import { ChainChecker } from '../src/index.js';
import { chain } from './block-fixtures.js';

const txs = (n: number): Uint8Array[][] => Array.from({ length: n }, (_, i) => [Buffer.from(`tx ${i}a`), Buffer.from(`tx ${i}b`)]);

function check(blocks: common.Block[]): ChainChecker {
  const checker = new ChainChecker();
  for (const b of blocks) checker.add(b);
  return checker;
}

describe('ChainChecker', () => {
  it('accepts an untouched chain and counts its height', () => {
    const checker = check(chain(txs(5)));
    expect(checker.ok).toBe(true);
    expect(checker.height).toBe(5);
    expect(checker.problems).toEqual([]);
  });

  it('detects a rewritten transaction through the data hash', () => {
    const blocks = chain(txs(4));
    blocks[2]!.getData()!.setDataList([Buffer.from('forged'), Buffer.from('tx 2b')]);
    const checker = check(blocks);
    expect(checker.ok).toBe(false);
    expect(checker.problems).toEqual([{ block: 2, reason: "data hash does not match the block's transactions" }]);
  });

  it("detects a rewritten header through the next block's previous hash", () => {
    const blocks = chain(txs(4));
    blocks[1]!.getHeader()!.setDataHash(Buffer.alloc(32));
    const reasons = check(blocks).problems;
    expect(reasons).toContainEqual({ block: 2, reason: "previous hash does not match block 1's header hash" });
  });

  it('detects blocks out of order and a missing header', () => {
    const blocks = chain(txs(3));
    expect(check([blocks[0]!, blocks[2]!, blocks[1]!]).problems.map((p) => p.block)).toContain(1);
    const headless = new common.Block();
    expect(check([blocks[0]!, headless]).problems).toEqual([{ block: 1, reason: 'block has no header' }]);
  });

  it('refuses a genesis block that claims a previous block', () => {
    const [genesis] = chain(txs(1));
    genesis!.getHeader()!.setPreviousHash(Buffer.alloc(32, 1));
    expect(check([genesis!]).problems).toEqual([{ block: 0, reason: "previous hash does not match block -1's header hash" }]);
  });
});
