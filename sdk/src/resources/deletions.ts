import type { HttpClient } from '../http.js';
import { paginate, type ListResult, type Page } from '../list.js';

/** Where the deletion of one read stands: CONFIRMED, PENDING before its deadline, OVERDUE after it without a confirmation. */
export type DeletionState = 'CONFIRMED' | 'PENDING' | 'OVERDUE';

/** One of your granted reads, with the deadline by which you must delete what it gave you. */
export interface RetainedRead {
  accessEventId: string;
  consentId: string;
  consumer: { id: string; name: string };
  purpose: string;
  fields: string[];
  readAt: string;
  /** The consent's retentionDays when you read. */
  retentionDays: number;
  /** `readAt` plus `retentionDays`. */
  deleteBy: string;
  deletionConfirmedAt: string | null;
  state: DeletionState;
  confirmedLate: boolean;
}

/**
 * Deletion deadlines, for consumers: every read under a consent must be deleted within the
 * consent's retention period, and you confirm each deletion here. Unconfirmed deletions past their
 * deadline are shown to the citizen and to the auditors.
 */
export class Deletions {
  constructor(private readonly http: HttpClient) {}

  /**
   * Your reads with their deletion deadlines, earliest deadline first: await it for one page, or
   * iterate for all of them.
   *
   * @example
   * for await (const read of vault.deletions.list({ state: 'PENDING' })) console.log(read.accessEventId, read.deleteBy);
   */
  list(options: { state?: DeletionState; limit?: number } = {}): ListResult<RetainedRead> {
    return paginate(
      async (cursor) =>
        (await this.http.request<Page<RetainedRead>>('GET', '/v1/retention/reads', { query: { state: options.state, limit: options.limit, cursor } })).body,
    );
  }

  /**
   * Confirms that you deleted what a read gave you. Safe to repeat: a second confirmation answers
   * the first one's time.
   *
   * @example
   * await vault.deletions.confirm(read.accessEventId);
   */
  async confirm(accessEventId: string): Promise<RetainedRead> {
    return (await this.http.request<RetainedRead>('POST', `/v1/retention/reads/${encodeURIComponent(accessEventId)}/deletion-confirmation`, { body: {} })).body;
  }
}
