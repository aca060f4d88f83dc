import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import { decodeCursor, page } from '../infra/cursor.js';
import type { After, RetentionStore, SubjectIds } from './ports.js';
import { deletionState, type DeletionState, type RetentionDeadline } from './retention-deadline.js';

export interface ReadWithState extends RetentionDeadline {
  state: DeletionState;
}

export interface RetentionPage {
  items: ReadWithState[];
  nextCursor: string;
}

const after = (cursor: string | undefined): After | undefined => {
  const parts = decodeCursor(cursor, ['instant', 'uuid'] as const);
  return parts ? { at: new Date(parts[0]), id: parts[1] } : undefined;
};

/**
 * Retention's story: every granted read gives its consumer a deadline to delete what it read; the
 * consumer confirms each deletion; the citizen sees the reads of their data and where each
 * deletion stands; auditors see every deletion past its deadline that no one confirmed.
 */
export class RetentionService {
  constructor(
    private readonly store: RetentionStore,
    private readonly subjects: SubjectIds,
    private readonly clock: Clock,
  ) {}

  private withState(now: Date) {
    return (d: RetentionDeadline): ReadWithState => ({ ...d, state: deletionState(d, now) });
  }

  /** The consumer's own reads, earliest deadline first (optionally only PENDING, OVERDUE or CONFIRMED). */
  async consumerReads(consumerOrgId: string, q: { state?: DeletionState; limit: number; cursor?: string }): Promise<RetentionPage> {
    const now = this.clock.now();
    const position = after(q.cursor);
    const rows = await this.store.ofConsumer(consumerOrgId, {
      ...(q.state ? { state: q.state } : {}),
      now,
      limit: q.limit + 1,
      ...(position ? { after: position } : {}),
    });
    const { items, nextCursor } = page(rows, q.limit, (r) => [r.deleteBy.toISOString(), r.accessEventId]);
    return { items: items.map(this.withState(now)), nextCursor };
  }

  /**
   * The consumer confirms it deleted what one of its reads gave it. Idempotent: a second
   * confirmation answers the first one's time. Another consumer's read is not found.
   */
  async confirmDeletion(consumerOrgId: string, accessEventId: string): Promise<ReadWithState> {
    const now = this.clock.now();
    const confirmed = await this.store.confirm(consumerOrgId, accessEventId, now);
    if (!confirmed) throw new DomainError('not_found', `no granted read ${accessEventId} of yours`);
    return this.withState(now)(confirmed);
  }

  /** The reads of the citizen's data, newest first, with each deletion's state, and how many are overdue. */
  async citizenView(nationalId: string, q: { limit: number; cursor?: string }): Promise<RetentionPage & { overdue: number }> {
    const now = this.clock.now();
    const position = after(q.cursor);
    const subjectId = await this.subjects.subjectId(nationalId, false);
    if (!subjectId) return { items: [], nextCursor: '', overdue: 0 };
    const [rows, overdue] = await Promise.all([
      this.store.ofSubject(subjectId, { limit: q.limit + 1, ...(position ? { after: position } : {}) }),
      this.store.overdueCountOfSubject(subjectId, now),
    ]);
    const { items, nextCursor } = page(rows, q.limit, (r) => [r.readAt.toISOString(), r.accessEventId]);
    return { items: items.map(this.withState(now)), nextCursor, overdue };
  }

  /** The auditor's report: every deletion past its deadline without a confirmation, earliest deadline first. */
  async overdueReport(q: { consumerOrgId?: string; limit: number; cursor?: string }): Promise<RetentionPage & { generatedAt: Date }> {
    const now = this.clock.now();
    const position = after(q.cursor);
    const rows = await this.store.overdue({
      now,
      limit: q.limit + 1,
      ...(q.consumerOrgId ? { consumerOrgId: q.consumerOrgId } : {}),
      ...(position ? { after: position } : {}),
    });
    const { items, nextCursor } = page(rows, q.limit, (r) => [r.deleteBy.toISOString(), r.accessEventId]);
    return { generatedAt: now, items: items.map(this.withState(now)), nextCursor };
  }
}
