import type { BreachLedger, BreachStore, OrganizationNotifier, PendingNotice, PendingVersion } from './ports.js';

export interface OutboxOptions {
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Drains what a breach version left to do after Postgres committed it: its record on the ledger
 * (in order per breach; recording is idempotent on the ledger, so a version committed there
 * before a crash is only marked here) and its organisations' webhook events (handed to the
 * webhooks capability's own durable outbox; at least once, and each event names its breach and
 * version, so a receiver tells a repeat). The request that wrote a version flushes it at once;
 * the capability's Worker flushes everything an outage or a crash left behind. One flush at a time.
 */
export class BreachOutbox {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: BreachStore,
    private readonly ledger: BreachLedger,
    private readonly notifier: OrganizationNotifier,
    private readonly options: OutboxOptions = {},
  ) {}

  /** Answers how many versions the ledger took and how many events were queued. */
  flush(breachId?: string): Promise<{ recorded: number; queued: number }> {
    const run = this.queue.then(() => this.flushNow(breachId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flushNow(breachId?: string): Promise<{ recorded: number; queued: number }> {
    let queued = 0;
    for (const n of await this.store.pendingNotices(500, breachId)) if (await this.queueNotice(n)) queued++;
    const blocked = new Set<string>(); // a breach whose version failed: its later versions wait
    let recorded = 0;
    for (const v of await this.store.pendingVersions(500, breachId)) {
      if (blocked.has(v.breachId)) continue;
      if (await this.record(v)) recorded++;
      else blocked.add(v.breachId);
    }
    return { recorded, queued };
  }

  private async queueNotice(n: PendingNotice): Promise<boolean> {
    try {
      await this.notifier.notify(n.organizationId, n.eventType, n.data);
      await this.store.markQueued(n);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.store.markNoticeFailed(n, message.slice(0, 500));
      this.options.log?.('a breach notice to an organisation is not queued yet; it will be retried', {
        breachId: n.breachId,
        version: n.version,
        organizationId: n.organizationId,
        err: message,
      });
      return false;
    }
  }

  private async record(v: PendingVersion): Promise<boolean> {
    try {
      const answer: unknown = JSON.parse(Buffer.from(await this.ledger.submit('breaches', 'RecordBreach', JSON.stringify(v.record))).toString('utf8'));
      const txId = typeof answer === 'object' && answer !== null && 'txId' in answer && typeof answer.txId === 'string' ? answer.txId : '';
      await this.store.markRecorded(v.breachId, v.version, txId);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.store.markAttemptFailed(v.breachId, v.version, message.slice(0, 500));
      this.options.log?.('a breach version is not on the ledger yet; it will be retried', {
        breachId: v.breachId,
        version: v.version,
        attempts: v.attempts + 1,
        err: message,
      });
      return false;
    }
  }
}
