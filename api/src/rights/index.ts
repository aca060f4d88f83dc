/**
 * Data-subject rights (PDPL 2025, Decree 356/2025): requests as persisted state machines whose
 * deadlines run on Vietnam's working-day calendar, each step recorded on the ledger without
 * personal data. The capability's public API: its ports, its factory and its routes.
 */
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import { IntervalWorker } from '../infra/interval-worker.js';
import type { Worker } from '../infra/worker.js';
import { RightsLedgerRecorder } from './ledger-recorder.js';
import { PgRightsRequests } from './pg-rights-requests.js';
import type { RightsLedger, RightsRequestStore, SubjectIds } from './ports.js';
import { RightsService } from './rights-service.js';
import { VietnamWorkingCalendar, type CalendarAdjustments } from './working-days.js';

export type { RightsLedger, SubjectIds, RightsRequestStore } from './ports.js';
export type { RightsService, RequestWithClock } from './rights-service.js';
export { VietnamWorkingCalendar, publicHolidays, type CalendarAdjustments, type Holiday } from './working-days.js';
export {
  REQUEST_KINDS,
  REQUEST_STATES,
  REFUSAL_REASONS,
  EXTENSION_REASONS,
  type RefusalReason,
  type RequestAction,
  type RequestKind,
  type RequestState,
  type RightsRequest,
} from './request-lifecycle.js';
export { rightsRoutes } from './rights-routes.js';
export { MemoryRightsRequests } from './memory-rights-requests.js';

/** The Postgres store of requests and their transitions. */
export function pgRightsRequestStore(sql: Sql): RightsRequestStore {
  return new PgRightsRequests(sql);
}

export interface RightsDeps {
  sql: Sql;
  ledger: RightsLedger;
  subjects: SubjectIds;
  clock: Clock;
  newId: () => string;
  /** The Government's declared swaps and bridged days, when known. */
  calendar?: CalendarAdjustments;
  /** How often steps the ledger did not take yet are retried (15 s). */
  recorderIntervalMs?: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The capability wired to Postgres and the ledger: the service the routes use, and the worker that
 * puts on the ledger the steps it did not take at once (an outage, a crash).
 */
export function createRights(deps: RightsDeps): { service: RightsService; worker: Worker } {
  const store = new PgRightsRequests(deps.sql);
  const recorder = new RightsLedgerRecorder(store, deps.ledger, { log: deps.log });
  const service = new RightsService({
    store,
    subjects: deps.subjects,
    recorder,
    calendar: new VietnamWorkingCalendar(deps.calendar),
    clock: deps.clock,
    newId: deps.newId,
  });
  const worker = new IntervalWorker('rights ledger recorder', deps.recorderIntervalMs ?? 15_000, () => recorder.flush(), deps.log);
  return { service, worker };
}
