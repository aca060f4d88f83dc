import { describe, expect, it } from 'vitest';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '@citizen-vault/ledger-format';
import { buildBlock } from '../src/devnet/block-format.js';

describe('block format', () => {
  it('builds a block whose data hash covers its envelopes and whose header links to the previous one', () => {
    const previous = blockHeaderHash(buildBlock(2, Buffer.alloc(32), [Buffer.from('x')], [0]).getHeader()!);
    const block = buildBlock(3, previous, [Buffer.from('a'), Buffer.from('b')], [0, 0]);
    expect(Buffer.from(block.getHeader()!.getPreviousHash_asU8())).toEqual(previous);
    expect(Buffer.from(block.getHeader()!.getDataHash_asU8())).toEqual(blockDataHash([Buffer.from('a'), Buffer.from('b')]));
  });

  it('records one validation code per transaction in the TRANSACTIONS_FILTER metadata', () => {
    const block = buildBlock(3, Buffer.alloc(32), [Buffer.from('a'), Buffer.from('b')], [0, 11]);
    const filter = block.getMetadata()!.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    expect([...filter!]).toEqual([0, 11]);
    expect(block.getMetadata()!.getMetadataList().length).toBe(5);
  });
});
