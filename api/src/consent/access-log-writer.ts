import type { Sql } from '../infra/database.js';

export interface AccessEvent {
  id: string;
  consentId: string;
  subjectId: string;
  consumerOrgId: string;
  purpose: string;
  fields: string[];
  outcome: 'GRANTED' | 'DENIED';
  reason?: string | undefined;
  usagePeriod?: string | undefined;
  at: Date;
}

/**
 * Group commit for the access log: events recorded in the same turn of the event loop go to
 * Postgres as one multi-row insert, one transaction, one WAL flush. Each caller's promise resolves
 * only once its event is durable, so no data leaves before its record — and the log costs one
 * round trip per batch, not per read.
 */
export class AccessLogWriter {
  private batch: { event: AccessEvent; done(err?: unknown): void }[] = [];

  constructor(private readonly sql: Sql, private readonly maxBatch = 500) {}

  append(event: AccessEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batch.push({ event, done: (err) => (err ? reject(err) : resolve()) });
      if (this.batch.length === 1) setImmediate(() => void this.flush());
      else if (this.batch.length >= this.maxBatch) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const pending = this.batch;
    this.batch = [];
    if (pending.length === 0) return;
    const rows = pending.map(({ event: e }) => ({
      id: e.id,
      consent_id: e.consentId,
      subject_id: e.subjectId,
      consumer_org_id: e.consumerOrgId,
      purpose: e.purpose,
      fields: this.sql.array(e.fields),
      outcome: e.outcome,
      reason: e.reason ?? null,
      usage_period: e.usagePeriod ?? null,
      at: e.at,
    }));
    try {
      await this.sql`insert into access_events ${this.sql(rows)}`;
      for (const p of pending) p.done();
    } catch (err) {
      for (const p of pending) p.done(err);
    }
  }
}
