import { open } from '../infra/aead.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { Worker } from '../infra/worker.js';
import type { WebhookStore } from './ports.js';
import type { Deliver } from './webhook-delivery.js';
import { secretBinding } from './webhook-service.js';

export interface DispatcherOptions {
  kek: Uint8Array;
  /** First retry delay; each further one doubles, with jitter. */
  retryBaseMs: number;
  maxAttempts: number;
  log(message: string, fields: Record<string, unknown>): void;
  /** How often the outbox is looked at when nobody wakes the dispatcher (1 s). */
  intervalMs?: number;
}

/** How long a claimed delivery stays invisible to other dispatchers while it is being attempted. */
const LEASE_MS = 30_000;
const BATCH = 20;

/**
 * Delivers the outbox: claims due deliveries under a lease, signs and attempts each (HMAC,
 * timestamped), and records the outcome — delivered, failed for good after `maxAttempts`, or due
 * again after an exponential back-off with jitter.
 */
export class WebhookDispatcher implements Worker {
  readonly name = 'webhook-dispatcher';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private wokenDuringRound = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly deliver: Deliver,
    private readonly options: DispatcherOptions,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.started = true;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Looks at the outbox now. A wake during a round starts another once it ends: the round may have
   * found the outbox empty just before the new delivery was queued.
   */
  wake(): void {
    if (!this.started) return;
    if (this.running) {
      this.wokenDuringRound = true;
      return;
    }
    this.wokenDuringRound = false;
    this.running = this.dispatchDue()
      .catch((err: unknown) => this.options.log('webhook dispatch failed', { error: String(err) }))
      .finally(() => {
        this.running = undefined;
        if (this.wokenDuringRound) this.wake();
      });
  }

  /** Attempts every due delivery until none is due (or the worker is stopped mid-way); answers when done. */
  async dispatchDue(): Promise<void> {
    for (;;) {
      const due = await this.store.claimDue(BATCH, LEASE_MS);
      if (due.length === 0 || this.stopped) return;
      await Promise.all(
        due.map(async (d) => {
          const secret = Buffer.from(open(this.options.kek, d.sealedSecret, secretBinding(d.endpointId))).toString();
          const error = await this.deliver({ url: d.url, secret, id: d.id, payload: d.payload, nowSeconds: Math.floor(this.clock.now().getTime() / 1000) });
          const attempts = d.attempts + 1;
          if (!error) {
            await this.store.markDelivered(d.id, attempts);
          } else if (attempts >= this.options.maxAttempts) {
            await this.store.markFailed(d.id, attempts, error);
          } else {
            await this.store.scheduleRetry(d.id, attempts, error, this.options.retryBaseMs * 2 ** (attempts - 1) * (0.75 + this.random() / 2));
          }
        }),
      );
    }
  }
}
