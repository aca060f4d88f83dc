/**
 * The breach register (PDPL 2025, Decree 356/2025): breaches recorded by the operator, the citizens
 * affected computed from the access log, a 72-hour clock from detection, notices to citizens and
 * webhook events to organisations, the authority's form, and each version anchored on the ledger
 * through an outbox. The capability's public API: its ports, its factory and its routes.
 */
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import { IntervalWorker } from '../infra/interval-worker.js';
import type { Worker } from '../infra/worker.js';
import { BreachOutbox } from './breach-outbox.js';
import { BreachService } from './breach-service.js';
import { PgBreachStore } from './pg-breach-store.js';
import type { BreachLedger, OrganizationNotifier, SubjectIds } from './ports.js';

export type { BreachLedger, BreachStore, OrganizationNotifier, SubjectIds } from './ports.js';
export type { BreachService } from './breach-service.js';
export { NOTIFY_WITHIN_HOURS, clockOf as breachClockOf, type Breach, type BreachClock } from './breach.js';
export { breachRoutes } from './breach-routes.js';

export interface BreachDeps {
  sql: Sql;
  ledger: BreachLedger;
  webhooks: OrganizationNotifier;
  subjects: SubjectIds;
  clock: Clock;
  newId: () => string;
  /** How often versions and notices not yet handed on are retried (15 s). */
  outboxIntervalMs?: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** The capability wired to Postgres, the ledger and the webhooks outbox: the service the routes use, and the worker that finishes what an outage or a crash left. */
export function createBreaches(deps: BreachDeps): { service: BreachService; worker: Worker; outbox: BreachOutbox } {
  const store = new PgBreachStore(deps.sql);
  const outbox = new BreachOutbox(store, deps.ledger, deps.webhooks, { log: deps.log });
  const service = new BreachService({ store, subjects: deps.subjects, outbox, clock: deps.clock, newId: deps.newId });
  const worker = new IntervalWorker('breach outbox', deps.outboxIntervalMs ?? 15_000, () => outbox.flush(), deps.log);
  return { service, worker, outbox };
}
