import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import { ledgerRecordOf } from './ledger-record.js';
import type { RequestEffects } from './request-effects.js';
import type { RightsControls } from './controls-routes.js';
import type { Actor, RightsRequestStore, SubjectIds } from './ports.js';
import {
  clockOf,
  decide,
  fileRequest,
  type DeadlineCalendar,
  type RequestAction,
  type RequestClock,
  type RequestKind,
  type RightsRequest,
  type Transition,
} from './request-lifecycle.js';

export interface RightsServiceDeps {
  store: RightsRequestStore;
  subjects: SubjectIds;
  /** Puts pending transitions of a request on the ledger (RightsLedgerRecorder). */
  recorder: { flush(requestId: string): Promise<number> };
  calendar: DeadlineCalendar;
  clock: Clock;
  newId: () => string;
  /** What carrying out a request does (erasure, restriction, revoking every consent): RequestEffects. */
  effects?: Pick<RequestEffects, 'carryOut' | 'completed' | 'filed' | 'claims'>;
  /** Legal holds, restrictions and erasures, for the routes to mount (absent in tests of the request lifecycle alone). */
  controls?: RightsControls;
}

export interface RequestWithClock {
  request: RightsRequest;
  clock: RequestClock;
}

export type RequestHistory = (Transition & { actor: Actor; recordedTxId: string | null })[];

/** The use cases of data-subject requests: the citizen files and follows; the operator works the queue; the auditor reads the report. */
export class RightsService {
  constructor(private readonly deps: RightsServiceDeps) {}

  get controls(): RightsControls | undefined {
    return this.deps.controls;
  }

  /** A citizen files a request; one open request of each kind at a time. */
  async file(nationalId: string, input: { kind: RequestKind; fields?: string[] }, tokenSubject?: string): Promise<RequestWithClock> {
    const { store, calendar, clock } = this.deps;
    const subjectId = await this.deps.subjects.subjectId(nationalId, true);
    if (!subjectId) throw new DomainError('not_found', 'no subject for this citizen');
    const open = await store.openOfKind(subjectId, input.kind);
    if (open) throw new DomainError('conflict', `you already have an open ${input.kind} request, ${open.id}`, { requestId: open.id });
    const now = clock.now();
    const { request, transition } = fileRequest(
      { id: this.deps.newId(), subjectId, kind: input.kind, ...(input.fields ? { fields: input.fields } : {}) },
      now,
      calendar,
    );
    await store.insert(request, transition, 'citizen', ledgerRecordOf(request, transition));
    await this.deps.effects?.filed(request, nationalId, tokenSubject);
    await this.record(request.id);
    return { request, clock: clockOf(request, now) };
  }

  /** The citizen's own requests, newest first. */
  async mine(nationalId: string): Promise<RequestWithClock[]> {
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    if (!subjectId) return [];
    const now = this.deps.clock.now();
    return (await this.deps.store.bySubject(subjectId)).map((request) => ({ request, clock: clockOf(request, now) }));
  }

  /** One of the citizen's requests with its history; another citizen's is not found. */
  async mineOne(nationalId: string, id: string): Promise<RequestWithClock & { history: RequestHistory }> {
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    const request = await this.deps.store.get(id);
    // An erased citizen's subject id no longer resolves: their ERASE request is found by its claim.
    const owner = request && ((subjectId && request.subjectId === subjectId) || (await this.deps.effects?.claims(request.id, nationalId)));
    if (!request || !owner) throw new DomainError('not_found', `no request ${id} of yours`);
    return { request, clock: clockOf(request, this.deps.clock.now()), history: await this.deps.store.history(id) };
  }

  /** Any request, with its history (operator, auditor). */
  async get(id: string): Promise<RequestWithClock & { history: RequestHistory }> {
    const request = await this.deps.store.get(id);
    if (!request) throw new DomainError('not_found', `no request ${id}`);
    return { request, clock: clockOf(request, this.deps.clock.now()), history: await this.deps.store.history(id) };
  }

  /** Completions running in this process: the operator's and the erasure sweep's share one. */
  private readonly completing = new Map<string, Promise<RequestWithClock>>();

  /** The operator (or a custodian settling a rectification) takes a step; a step the rules forbid is refused with the reason. */
  act(id: string, action: RequestAction, actor: Actor = 'operator'): Promise<RequestWithClock> {
    if (action.type !== 'complete') return this.step(id, action, actor);
    const running = this.completing.get(id);
    if (running) return running;
    const run = this.step(id, action, actor).finally(() => this.completing.delete(id));
    this.completing.set(id, run);
    return run;
  }

  private async step(id: string, action: RequestAction, actor: Actor): Promise<RequestWithClock> {
    const { store, calendar, clock } = this.deps;
    const request = await store.get(id);
    if (!request) throw new DomainError('not_found', `no request ${id}`);
    const now = clock.now();
    const decision = decide(request, action, now, calendar);
    if (!decision.ok) throw new DomainError(decision.code, decision.detail, { state: request.state });
    // Carried out first, then recorded as completed: a failure part-way leaves the request open, and
    // completing it again carries on (every effect is idempotent).
    if (action.type === 'complete') await this.deps.effects?.carryOut(request);
    const applied = await store.apply(decision.request, request.version, decision.transition, actor, ledgerRecordOf(decision.request, decision.transition));
    if (!applied) throw new DomainError('conflict', `request ${id} changed while this step was decided; reload it and try again`);
    if (action.type === 'complete') await this.deps.effects?.completed(decision.request);
    await this.record(id);
    return { request: decision.request, clock: clockOf(decision.request, now) };
  }

  /** The operator's queue: every open request with its clock, the most urgent first. */
  async queue(): Promise<RequestWithClock[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.open())
      .map((request) => ({ request, clock: clockOf(request, now) }))
      .sort((a, b) => a.clock.dueAt.getTime() - b.clock.dueAt.getTime());
  }

  /** The auditor's report: open requests past their deadline now, and requests completed or answered after theirs. */
  async report(): Promise<{ generatedAt: Date; overdue: RequestWithClock[]; late: RequestWithClock[] }> {
    const now = this.deps.clock.now();
    const overdue = (await this.deps.store.open()).map((request) => ({ request, clock: clockOf(request, now) })).filter((r) => r.clock.status === 'OVERDUE');
    const late = (await this.deps.store.late()).map((request) => ({ request, clock: clockOf(request, now) }));
    return { generatedAt: now, overdue, late };
  }

  /**
   * Puts the new transition on the ledger now. Postgres already has it with a pending mark, so if
   * the ledger is unreachable the answer still stands and the recorder's worker finishes it later.
   */
  private async record(requestId: string): Promise<void> {
    await this.deps.recorder.flush(requestId).catch(() => undefined);
  }
}
