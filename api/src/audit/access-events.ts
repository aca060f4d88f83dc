/** A recorded read as stored: the access log's read side, shown to the citizen it concerns or to an auditor. */
export interface AccessEventRow {
  id: string;
  consent_id: string;
  consumer_org_id: string;
  consumer_name: string;
  purpose: string;
  fields: string[];
  outcome: 'GRANTED' | 'DENIED';
  reason: string | null;
  at: Date;
  leaf_index: string | null;
  log_entry: string | null;
}

/** A subject's recorded reads, newest first, a page at a time after the `(at, id)` cursor. */
export interface AccessHistory {
  accessEventsOf(subjectId: string, page: { limit: number; after?: { at: Date; id: string } }): Promise<AccessEventRow[]>;
}

/** An access event as the API shows it, to the citizen it concerns or to an auditor. */
export function accessEventView(e: Omit<AccessEventRow, 'log_entry'>) {
  return {
    id: e.id,
    consentId: e.consent_id,
    consumer: { id: e.consumer_org_id, name: e.consumer_name },
    purpose: e.purpose,
    fields: e.fields,
    outcome: e.outcome,
    reason: e.reason,
    at: e.at.toISOString(),
    // The leaf of the verifiable log that records this read.
    leafIndex: e.leaf_index === null ? null : Number(e.leaf_index),
  };
}
