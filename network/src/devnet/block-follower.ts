import { orderer } from '@hyperledger/fabric-protos';
import type { Ledger } from './ledger.js';

export interface FollowedCall {
  readonly cancelled: boolean;
  on(event: 'cancelled', listener: () => void): unknown;
}

/**
 * Hands each committed block from `start` to `stop` (inclusive) to `deliver`, in order, waiting for
 * blocks not yet committed. Resolves `done` after `stop`, or `cancelled` when the client goes away.
 * `deliver` may return a promise, so slow clients hold the stream back instead of piling up memory.
 */
export async function followBlocks(
  ledger: Ledger,
  start: number,
  stop: number,
  call: FollowedCall,
  deliver: (blockNumber: number) => void | Promise<void>,
): Promise<'done' | 'cancelled'> {
  if (call.cancelled) return 'cancelled';
  let cancelled = false;
  let wake: (() => void) | undefined;
  const unsubscribe = ledger.onCommit(() => wake?.());
  call.on('cancelled', () => {
    cancelled = true;
    wake?.();
  });
  try {
    for (let next = start; next <= stop;) {
      if (cancelled) return 'cancelled';
      if (next >= ledger.height) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      await deliver(next);
      next++;
    }
    return cancelled ? 'cancelled' : 'done';
  } finally {
    unsubscribe();
  }
}

/** Writes to a server stream, waiting for it to drain when the client reads slowly. */
export async function writeWithBackpressure<T>(
  call: { write(message: T): boolean; once(event: 'drain', listener: () => void): unknown },
  message: T,
): Promise<void> {
  if (!call.write(message)) await new Promise<void>((resolve) => call.once('drain', resolve));
}

/** A Fabric seek position as a block number: Specified, Oldest, Newest, NextCommit, or `fallback` when none is given. */
export function seekBlock(position: orderer.SeekPosition | undefined, height: number, fallback: number): number {
  switch (position?.getTypeCase()) {
    case orderer.SeekPosition.TypeCase.SPECIFIED:
      return position.getSpecified()!.getNumber();
    case orderer.SeekPosition.TypeCase.OLDEST:
      return 0;
    case orderer.SeekPosition.TypeCase.NEWEST:
      return Math.max(0, height - 1);
    case orderer.SeekPosition.TypeCase.NEXT_COMMIT:
      return height;
    default:
      return fallback;
  }
}
