/**
 * Rectification (PDPL 2025 right to correct; issue 15 item 3): a citizen's RECTIFY request becomes a
 * task for each custodian holding the fields; an accepted task is a new record version, the old one
 * kept as superseded; consumers with an active consent on a corrected field are told by webhook.
 * The capability's public API: its ports, its factory and its routes.
 */
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import { PgRectificationTasks } from './pg-rectification-tasks.js';
import { RectificationService, type RectificationDeps } from './rectification-service.js';

export type { ActiveConsent, ActiveConsents, Notifier, RectificationStore, RectificationTask, TaskStatus } from './ports.js';
export { RectificationService, RECORD_RECTIFIED, TASK_CREATED, type CustodianTask } from './rectification-service.js';
export { outcomeOf, nextStep, type Outcome } from './rectification-outcome.js';
export { rectificationRoutes } from './rectification-routes.js';

export type RectificationWiring = Omit<RectificationDeps, 'store' | 'clock'> & { sql: Sql; clock: Clock };

/** The capability wired to Postgres. */
export function createRectification(deps: RectificationWiring): RectificationService {
  const { sql, ...rest } = deps;
  return new RectificationService({ ...rest, store: new PgRectificationTasks(sql) });
}
