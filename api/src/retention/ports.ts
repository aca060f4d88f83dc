import type { DeletionState, RetentionDeadline } from './retention-deadline.js';

/** A page position: the sort key of the last item given. */
export interface After {
  at: Date;
  id: string;
}

/**
 * The deletion deadlines of granted reads (written with each read, by the database, from the
 * consent's retentionDays at that moment) and the consumers' confirmations.
 */
export interface RetentionStore {
  /** A consumer's reads, earliest deadline first, optionally of one state at `now`. */
  ofConsumer(consumerOrgId: string, q: { state?: DeletionState; now: Date; limit: number; after?: After }): Promise<RetentionDeadline[]>;
  /** Reads of a subject's data, newest first. */
  ofSubject(subjectId: string, q: { limit: number; after?: After }): Promise<RetentionDeadline[]>;
  /** How many reads of a subject's data are past their deadline without a confirmation at `now`. */
  overdueCountOfSubject(subjectId: string, now: Date): Promise<number>;
  /** Every unconfirmed read past its deadline at `now`, earliest deadline first (of one consumer, or all). */
  overdue(q: { now: Date; consumerOrgId?: string; limit: number; after?: After }): Promise<RetentionDeadline[]>;
  /**
   * Confirms the deletion of one of the consumer's reads at `at`, unless confirmed already (the
   * first confirmation stays); answers the read, or undefined when the consumer has no such read.
   */
  confirm(consumerOrgId: string, accessEventId: string, at: Date): Promise<RetentionDeadline | undefined>;
}

/** The vault's pseudonymous subject ids (VaultService fits). */
export interface SubjectIds {
  subjectId(nationalId: string, create: boolean): Promise<string | undefined>;
}
