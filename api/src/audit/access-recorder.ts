/** What the log records. Entries carry pseudonymous ids only: no names, identity numbers or field values. */
export type LeafKind = 'data_read' | 'consent_decision' | 'record_deposit' | 'licence_use' | 'notice_published';

/** A read of personal data, granted or refused: a leaf of the log and a row of `access_events`. */
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
 * What a granted read must still hold when it is recorded: the consent active and not being revoked
 * or paused, and an allowance left in its usage period. Checked and counted in the transaction that
 * makes the event durable, so a use is never counted without its event (or the other way round), and
 * no read is recorded as granted once a revoke or pause has blocked the consent.
 */
export interface UseGuard {
  period: string;
  limit: number;
}

/**
 * A row of another capability that records this leaf's index, written in the leaf's own transaction
 * (so the two are durable together, with no commit of their own): `table.leaf_index` of row `id`,
 * if not set yet. Only the tables listed in the log may be named.
 */
export interface LeafLink {
  table: 'metering_events';
  id: string;
}

/** How a recorded read ended: as asked, or refused at the last moment by its guard. */
export interface RecordedAccess {
  leafIndex: number;
  outcome: 'GRANTED' | 'DENIED';
  reason?: 'not_active' | 'frequency_exceeded';
}

/** The log's append side: every read of personal data, and every other fact the log keeps. Resolves once durable. */
export interface AccessRecorder {
  /**
   * Records a read of personal data. With a guard, a GRANTED read is recorded as granted — and its
   * use counted — only if the guard still holds at that moment; otherwise it is recorded as DENIED,
   * and the answer says why.
   */
  recordAccess(event: AccessEvent, guard?: UseGuard): Promise<RecordedAccess>;
  /**
   * Appends any other event; `entry` must hold no personal data. With `transactionId`, the leaf is
   * tied to that ledger transaction, once: a second append of it answers the first leaf. With
   * `link`, an adapter that can writes the leaf's index into that row in the same transaction and
   * answers `linked: true`; otherwise the caller records the link itself.
   */
  append(
    kind: Exclude<LeafKind, 'data_read'>,
    entry: Record<string, unknown>,
    transactionId?: string,
    link?: LeafLink,
  ): Promise<{ leafIndex: number; linked?: boolean }>;
}
