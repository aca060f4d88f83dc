import type { Worker } from './worker.js';

/** A stream a projector follows; closing it ends the iteration. */
export interface FollowedStream<T> extends AsyncIterable<T> {
  close(): void;
}

export type LogWarning = (message: string, fields: Record<string, unknown>) => void;

/**
 * Follows a ledger stream (blocks, chaincode events) into a read model, resuming from its own
 * checkpoint. The loop is the same for every projector: open the stream where the checkpoint
 * says, apply each item, and on a failure (the ledger restarting, a network cut) start again from
 * the checkpoint, backing off from 0.5 s to at most 2 s, because a retry is cheap and a ledger that
 * is back should be followed again within a couple of seconds. `stop()` waits for the item being
 * applied, so nothing is half-applied.
 */
export abstract class Projector<T> implements Worker {
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;

  protected constructor(
    readonly name: string,
    private readonly log: LogWarning,
  ) {}

  /** Opens the stream at the item after the stored checkpoint. */
  protected abstract open(): Promise<FollowedStream<T>>;
  /** Applies one item and moves the checkpoint past it. */
  protected abstract apply(item: T): Promise<void>;

  start(): void {
    this.abort = new AbortController();
    this.done = this.follow(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let retryMs = 500;
    while (!signal.aborted) {
      try {
        const stream = await this.open();
        const close = (): void => stream.close();
        signal.addEventListener('abort', close);
        if (signal.aborted) close(); // stopped while connecting
        try {
          for await (const item of stream) {
            await this.apply(item);
            retryMs = 500;
          }
        } finally {
          signal.removeEventListener('abort', close);
        }
        if (!signal.aborted) await sleep(retryMs); // the stream ended: reconnect, unhurried
      } catch (err) {
        if (signal.aborted) return;
        this.log(`${this.name} interrupted; resuming from its checkpoint`, { error: String(err), retryMs });
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, 2_000);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
