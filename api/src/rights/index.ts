/**
 * Data-subject rights (PDPL 2025, Decree 356/2025): requests as persisted state machines whose
 * deadlines run on Vietnam's working-day calendar, each step recorded on the ledger without
 * personal data. The capability's public API: its ports, its factory and its routes.
 */
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import { RightsLedgerRecorder, type RecorderOptions } from './ledger-recorder.js';
import { PgRightsRequests } from './pg-rights-requests.js';
import type { RightsLedger, SubjectIds } from './ports.js';
import { RightsService } from './rights-service.js';
import { VietnamWorkingCalendar, type CalendarAdjustments } from './working-days.js';

export type { RightsLedger, SubjectIds, RightsRequestStore } from './ports.js';
export type { RightsService } from './rights-service.js';
export type { RightsLedgerRecorder } from './ledger-recorder.js';
export { VietnamWorkingCalendar, publicHolidays, type CalendarAdjustments, type Holiday } from './working-days.js';
export { REQUEST_KINDS, REQUEST_STATES, REFUSAL_REASONS, EXTENSION_REASONS, type RequestKind, type RequestState, type RightsRequest } from './request-lifecycle.js';
export { rightsRoutes } from './rights-routes.js';

export interface RightsDeps {
  sql: Sql;
  ledger: RightsLedger;
  subjects: SubjectIds;
  clock: Clock;
  newId: () => string;
  /** The Government's declared swaps and bridged days, when known. */
  calendar?: CalendarAdjustments;
  recorder?: RecorderOptions;
}

/** The capability wired to Postgres and the ledger: the service the routes use, and the recorder to run as a Worker. */
export function createRights(deps: RightsDeps): { service: RightsService; recorder: RightsLedgerRecorder } {
  const store = new PgRightsRequests(deps.sql);
  const recorder = new RightsLedgerRecorder(store, deps.ledger, deps.recorder);
  const service = new RightsService({ store, subjects: deps.subjects, recorder, calendar: new VietnamWorkingCalendar(deps.calendar), clock: deps.clock, newId: deps.newId });
  return { service, recorder };
}
