import { DevnetError } from './errors.js';
import type { CommittedBlock, Ledger } from './ledger.js';
import type { ParsedTransaction } from './transaction.js';

export interface BatchOptions {
  /** Cut a block once this many transactions wait (Fabric's BatchSize.MaxMessageCount). */
  maxMessageCount: number;
  /** Cut a block once the waiting envelopes reach this many bytes (BatchSize.PreferredMaxBytes). */
  preferredMaxBytes: number;
  /** Cut a block this long after its first transaction arrived (BatchTimeout). */
  batchTimeoutMs: number;
}

export const DEFAULT_BATCH: BatchOptions = { maxMessageCount: 500, preferredMaxBytes: 2 * 1024 * 1024, batchTimeoutMs: 2 };

/**
 * A solo orderer: queues submitted transactions and cuts blocks on count, size or timeout, one
 * block at a time. While a block is being written, new transactions gather for the next one, so
 * blocks grow with load and latency stays at the timeout when the network is quiet.
 */
export class Orderer {
  private queue: ParsedTransaction[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly options: BatchOptions,
    private readonly onFatal: (err: unknown) => void,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  enqueue(tx: ParsedTransaction): void {
    if (this.stopped) throw new DevnetError('unavailable', 'the orderer has stopped taking transactions');
    this.queue.push(tx);
    this.queuedBytes += tx.envelope.length;
    if (this.queue.length >= this.options.maxMessageCount || this.queuedBytes >= this.options.preferredMaxBytes) this.cut();
    else this.timer ??= setTimeout(() => this.cut(), this.options.batchTimeoutMs);
  }

  /** Stops taking transactions and waits for the block being written; queued ones are dropped, uncommitted. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.queue = [];
    await this.committing;
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.committing || this.queue.length === 0 || this.stopped) return;
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.options.maxMessageCount) {
      bytes += this.queue[count]!.envelope.length;
      count++;
      if (bytes >= this.options.preferredMaxBytes) break;
    }
    const batch = this.queue.splice(0, count);
    this.queuedBytes -= bytes;
    this.committing = this.ledger
      .commitBlock(batch)
      .then(
        (_block: CommittedBlock) => undefined,
        (err: unknown) => {
          this.stopped = true;
          this.onFatal(err);
        },
      )
      .finally(() => {
        this.committing = undefined;
        // What arrived while the block was written has already waited: cut it now.
        if (this.queue.length > 0) this.cut();
      });
  }
}
