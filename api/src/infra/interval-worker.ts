import type { Worker } from './worker.js';

/**
 * A worker that runs one round every `periodMs`, never two at once; `stop()` waits for the round
 * in progress. A failed round is reported and the next one runs on schedule.
 */
export class IntervalWorker implements Worker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly periodMs: number,
    private readonly round: () => Promise<unknown>,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.round()
        .then(
          () => undefined,
          (err: unknown) => this.log(`${this.name} failed; it runs again in ${this.periodMs} ms`, { error: String(err) }),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
