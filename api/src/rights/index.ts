/**
 * Data-subject rights (PDPL 2025, Decree 356/2025): requests as persisted state machines whose
 * deadlines run on Vietnam's working-day calendar, each step recorded on the ledger without
 * personal data. The capability's public API: its ports, its factory and its routes.
 */
import { DomainError } from '../errors/index.js';
import type { Sql } from '../infra/database.js';
import type { Clock } from '../infra/clock.js';
import { IntervalWorker } from '../infra/interval-worker.js';
import type { Worker } from '../infra/worker.js';
import { RightsLedgerRecorder } from './ledger-recorder.js';
import { PgRightsRequests } from './pg-rights-requests.js';
import type { RightsLedger, RightsRequestStore, SubjectIds } from './ports.js';
import { RightsService } from './rights-service.js';
import { VietnamWorkingCalendar, type CalendarAdjustments } from './working-days.js';
import type { CryptoKey } from 'jose';
import { Erasure, type ConsentRevoker, type Shredder } from './erasure.js';
import { claimKeyFrom } from './erasure-certificate.js';
import { PgSubjectControls } from './pg-subject-controls.js';
import { RequestEffects } from './request-effects.js';
import { SubjectControls, type StatisticsExclusion } from './subject-controls.js';
import { ExportService, type ExportSources } from './export-service.js';
import { PgExportStore } from './export-store.js';
import { ExportFulfilment } from './export-worker.js';

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
export { exportRoutes } from './export-routes.js';
export type { ExportService, ExportSources } from './export-service.js';
export type { ExportBundle } from './export-bundle.js';
export { MemoryRightsRequests } from './memory-rights-requests.js';
export type { ConsentRevoker, Shredder } from './erasure.js';
export type { StatisticsExclusion } from './subject-controls.js';
export type { RightsControls } from './controls-routes.js';
export { ERASURE_STEPS } from './erasure.js';

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
  /** What carrying out WITHDRAW_ALL and ERASE revokes through (the consent capability's ConsentService). */
  consents: ConsentRevoker;
  /** The vault's erase port (pgSubjectShredder). */
  shredder: Shredder & { state(subjectId: string): Promise<'live' | 'shredded' | 'unknown'> };
  /** The exchange's statistics projection, as erasure and restriction change it (pgStatisticsExclusion). */
  statistics: StatisticsExclusion;
  /** The API's signing key, which signs erasure certificates; the KEK, to find stored answers naming an erased subject; the index key, from which the certificate claim key is derived. */
  keys: { signing: { kid: string; privateKey: CryptoKey }; kek: Uint8Array; indexKey: Uint8Array };
  /** At most one storage compaction after erasure per this many milliseconds (0, the default: one per erasure). */
  compactionEveryMs?: number;
}

/**
 * The capability wired to Postgres and the ledger: the service the routes use, and the worker that
 * puts on the ledger the steps it did not take at once (an outage, a crash).
 */
export function createRights(deps: RightsDeps): { service: RightsService; worker: Worker } {
  const store = new PgRightsRequests(deps.sql);
  const recorder = new RightsLedgerRecorder(store, deps.ledger, { log: deps.log });
  const controlsStore = new PgSubjectControls(deps.sql);
  const controls = new SubjectControls({
    store: controlsStore,
    ledger: deps.ledger,
    statistics: deps.statistics,
    subjects: deps.shredder,
    clock: deps.clock,
    newId: deps.newId,
    log: deps.log,
  });
  const erasure = new Erasure({
    store: controlsStore,
    shredder: deps.shredder,
    consents: deps.consents,
    statistics: deps.statistics,
    controls,
    signing: deps.keys.signing,
    kek: deps.keys.kek,
    clock: deps.clock,
    newId: deps.newId,
    ...(deps.compactionEveryMs !== undefined ? { compactionEveryMs: deps.compactionEveryMs } : {}),
  });
  const effects = new RequestEffects({ erasure, controls, consents: deps.consents, store: controlsStore, claimKey: claimKeyFrom(deps.keys.indexKey) });
  const service = new RightsService({
    store,
    subjects: deps.subjects,
    recorder,
    calendar: new VietnamWorkingCalendar(deps.calendar),
    clock: deps.clock,
    newId: deps.newId,
    effects,
    controls: { controls, effects, erasure },
  });
  // Each round: request steps and subject controls onto the ledger, then any erasure a crash left
  // part-way carried on and its request completed.
  const round = async (): Promise<void> => {
    await recorder.flush();
    await controls.flush();
    for (const id of await controlsStore.unfinishedErasures()) {
      const request = await store.get(id);
      if (!request) continue;
      try {
        if (request.state === 'COMPLETED') await erasure.finish(id);
        else if (request.state === 'IN_PROGRESS' || request.state === 'EXTENDED') await service.act(id, { type: 'complete' });
      } catch (err) {
        // Waiting for the next compaction is the plan, not a failure.
        if (!(err instanceof DomainError && err.code === 'erasure_compaction_scheduled'))
          deps.log('an unfinished erasure could not be carried on yet; it will be retried', { requestId: id, err: String(err) });
      }
    }
  };
  const worker = new IntervalWorker('rights ledger recorder', deps.recorderIntervalMs ?? 15_000, round, deps.log);
  return { service, worker };
}

export interface ExportDeps extends Omit<ExportSources, 'store' | 'requests'> {
  sql: Sql;
  rights: RightsService;
  /** How often open EXPORT requests are carried out (5 s). */
  intervalMs?: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Exports (issue 15 item 2): the service the download route uses, and the worker that carries out
 * EXPORT requests as they are filed, each step a ledger-recorded transition.
 */
export function createExport(deps: ExportDeps): { service: ExportService; worker: Worker } {
  const { sql, rights, intervalMs, log, ...sources } = deps;
  const service = new ExportService({ ...sources, requests: rights, store: new PgExportStore(sql) });
  const fulfilment = new ExportFulfilment(rights, service, log);
  return { service, worker: new IntervalWorker('export fulfilment', intervalMs ?? 5_000, () => fulfilment.round(), log) };
}
