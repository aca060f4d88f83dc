import type { ConsentNotices } from '../consent/index.js';
import type { Sql } from '../infra/database.js';
import type { NoticeKind, NoticeRule } from './notice.js';

/** An open re-consent: a consent given under text a material change replaced. */
export interface Reconsent {
  consentId: string;
  rule: NoticeRule;
  changes: { kind: NoticeKind; key: string; version: number }[];
  successorId: string | null;
  createdAt: Date;
}

type ReconsentRow = { consent_id: string; rule: NoticeRule; changes: Reconsent['changes']; successor_id: string | null; created_at: Date };
const asReconsent = (r: ReconsentRow): Reconsent => ({
  consentId: r.consent_id,
  rule: r.rule,
  changes: r.changes,
  successorId: r.successor_id,
  createdAt: r.created_at,
});

/**
 * Re-consents in Postgres: one open row per consent a material notice change asked again, the
 * successor request that asks, and how it ended.
 */
export class PgReconsents implements Pick<ConsentNotices, 'predecessorOf' | 'resolveReconsent'> {
  constructor(private readonly sql: Sql) {}

  async predecessorOf(successorId: string): Promise<string | undefined> {
    const [row] = await this.sql<{ consent_id: string }[]>`
      select consent_id from reconsent_requests where successor_id = ${successorId} and resolved_at is null`;
    return row?.consent_id;
  }

  async resolveReconsent(consentId: string, resolution: 'reconsented' | 'declined' | 'ended'): Promise<void> {
    await this.sql`update reconsent_requests set resolved_at = now(), resolution = ${resolution} where consent_id = ${consentId} and resolved_at is null`;
  }

  /**
   * Open re-consents the sweep must move on: without a successor yet, whose successor the citizen
   * answered, or whose consent ended meanwhile. Those waiting on the citizen are left out.
   */
  async reconsentsToMove(limit: number): Promise<(Reconsent & { successorStatus: string | null })[]> {
    const rows = await this.sql<(ReconsentRow & { successor_status: string | null })[]>`
      select r.*, s.status as successor_status from reconsent_requests r
        join consents c on c.id = r.consent_id left join consents s on s.id = r.successor_id
      where r.resolved_at is null and (r.successor_id is null or s.status <> 'REQUESTED' or c.status not in ('ACTIVE', 'PAUSED'))
      order by r.created_at limit ${limit}`;
    return rows.map((r) => ({ ...asReconsent(r), successorStatus: r.successor_status }));
  }

  async setSuccessor(consentId: string, successorId: string): Promise<void> {
    await this
      .sql`update reconsent_requests set successor_id = ${successorId} where consent_id = ${consentId} and resolved_at is null and successor_id is null`;
  }

  /** A citizen's open re-consents, by their consents' subject. */
  async openReconsentsOf(subjectId: string): Promise<Reconsent[]> {
    const rows = await this.sql<ReconsentRow[]>`
      select r.* from reconsent_requests r join consents c on c.id = r.consent_id
      where c.subject_id = ${subjectId} and r.resolved_at is null order by r.created_at desc`;
    return rows.map(asReconsent);
  }
}
