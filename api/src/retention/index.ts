/**
 * Retention (PDPL 2025; issue 15 item 6): each granted read gives its consumer a deadline to delete
 * what it read, from the consent's retentionDays at read time; consumers confirm deletions; the
 * citizen and the auditors see the overdue ones. The capability's public API.
 */
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import type { RetentionStore, SubjectIds } from './ports.js';
import { PgRetention } from './pg-retention.js';
import { RetentionService } from './retention-service.js';

export type { RetentionStore, SubjectIds } from './ports.js';
export type { RetentionService, ReadWithState } from './retention-service.js';
export { deletionDeadline, deletionState, type DeletionState, type RetentionDeadline } from './retention-deadline.js';
export { retentionRoutes } from './retention-routes.js';

/** The deadlines and confirmations in Postgres. */
export function pgRetentionStore(sql: Sql): RetentionStore {
  return new PgRetention(sql);
}

export function createRetention(deps: { sql: Sql; subjects: SubjectIds; clock: Clock }): RetentionService {
  return new RetentionService(new PgRetention(deps.sql), deps.subjects, deps.clock);
}
