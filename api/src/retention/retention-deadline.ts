/**
 * A consumer's duty to delete what it read (PDPL 2025; the consent's `retentionDays`): each granted
 * read must be deleted by its deadline, the read's time plus the retention the consent stated when
 * the read was made, and the consumer confirms it did. Pure: the time is passed in.
 */

/** Where a read's deletion stands at a moment. */
export type DeletionState = 'CONFIRMED' | 'PENDING' | 'OVERDUE';
export const DELETION_STATES: readonly DeletionState[] = ['CONFIRMED', 'PENDING', 'OVERDUE'];

export interface RetentionDeadline {
  accessEventId: string;
  consentId: string;
  subjectId: string;
  consumer: { id: string; name: string };
  purpose: string;
  fields: string[];
  readAt: Date;
  retentionDays: number;
  deleteBy: Date;
  deletionConfirmedAt: Date | null;
}

const DAY_MS = 86_400_000;

/** The deadline of a read made at `readAt` under a consent that keeps data `retentionDays` days. */
export function deletionDeadline(readAt: Date, retentionDays: number): Date {
  return new Date(readAt.getTime() + retentionDays * DAY_MS);
}

/** CONFIRMED once the consumer said so (even late); OVERDUE past the deadline without it; PENDING before. */
export function deletionState(d: Pick<RetentionDeadline, 'deleteBy' | 'deletionConfirmedAt'>, now: Date): DeletionState {
  if (d.deletionConfirmedAt) return 'CONFIRMED';
  return now > d.deleteBy ? 'OVERDUE' : 'PENDING';
}

/** Whether a confirmation came after the deadline: kept visible to auditors, even once confirmed. */
export function confirmedLate(d: Pick<RetentionDeadline, 'deleteBy' | 'deletionConfirmedAt'>): boolean {
  return d.deletionConfirmedAt !== null && d.deletionConfirmedAt > d.deleteBy;
}
