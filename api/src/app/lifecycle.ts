import type { Worker } from '../infra/worker.js';

/**
 * What the composition root opened, closed in reverse order: workers stop before the ledger and the
 * database they use, and the database closes before the embedded Postgres stops. Closing twice
 * closes once.
 */
export class Lifecycle {
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];
  private closing: Promise<void> | undefined;

  /** Registers something to close; returns it, so opening and registering read as one step. */
  closeLater<T>(name: string, value: T, close: (value: T) => Promise<void> | void): T {
    this.closers.push({ name, close: () => close(value) });
    return value;
  }

  /** Starts a worker now and stops it on close. */
  start(worker: Worker): void {
    worker.start();
    this.closers.push({ name: worker.name, close: () => worker.stop() });
  }

  close(onError: (name: string, err: unknown) => void = () => {}): Promise<void> {
    this.closing ??= (async () => {
      for (const { name, close } of this.closers.reverse()) {
        try {
          await close();
        } catch (err) {
          onError(name, err);
        }
      }
    })();
    return this.closing;
  }
}
