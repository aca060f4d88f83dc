import type { PendingRecord, RightsLedger, RightsRequestStore } from './ports.js';

export interface RecorderOptions {
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Puts each transition on the ledger after Postgres has it: the transition row is the outbox. The
 * request that made a transition flushes it at once; a periodic flush of everything (the
 * capability's Worker) finishes whatever a crash or a ledger outage left pending, in order per
 * request. Recording is idempotent on the ledger (the same step again answers the stored record),
 * so a step committed before a crash is only marked here.
 */
export class RightsLedgerRecorder {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: RightsRequestStore,
    private readonly ledger: RightsLedger,
    private readonly options: RecorderOptions = {},
  ) {}

  /** Records the pending transitions (of one request, or of all); answers how many the ledger took. One flush runs at a time. */
  flush(requestId?: string): Promise<number> {
    const run = this.queue.then(() => this.flushNow(requestId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flushNow(requestId?: string): Promise<number> {
    const pending = await this.store.pendingRecords(500, requestId);
    const blocked = new Set<string>(); // a request whose step failed: its later steps wait
    let recorded = 0;
    for (const p of pending) {
      if (blocked.has(p.requestId)) continue;
      if (await this.record(p)) recorded++;
      else blocked.add(p.requestId);
    }
    return recorded;
  }

  private async record(p: PendingRecord): Promise<boolean> {
    try {
      const answer: unknown = JSON.parse(Buffer.from(await this.ledger.submit('rights', 'RecordRightsRequest', JSON.stringify(p.record))).toString('utf8'));
      const txId = typeof answer === 'object' && answer !== null && 'txId' in answer && typeof answer.txId === 'string' ? answer.txId : '';
      await this.store.markRecorded(p.requestId, p.seq, txId);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.store.markAttemptFailed(p.requestId, p.seq, message.slice(0, 500));
      this.options.log?.('a rights request step is not on the ledger yet; it will be retried', {
        requestId: p.requestId,
        seq: p.seq,
        attempts: p.attempts + 1,
        err: message,
      });
      return false;
    }
  }
}
