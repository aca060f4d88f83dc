import { describe, expect, it } from 'vitest';
import { packMessages, unpackMessages } from '../src/devnet/message-batch.js';

describe('chaincode message batches', () => {
  it('carries messages of any size, empty ones included, in order', () => {
    const messages = [Buffer.from('first'), new Uint8Array(), Buffer.alloc(70_000, 7), Buffer.from([0, 255])];
    const unpacked = unpackMessages(packMessages(messages));
    expect(unpacked.map((m) => Buffer.from(m))).toEqual(messages.map((m) => Buffer.from(m)));
  });

  it('packs nothing into an empty batch', () => {
    expect(unpackMessages(packMessages([]))).toEqual([]);
  });
});
