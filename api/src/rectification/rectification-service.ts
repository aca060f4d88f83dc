import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import { decodeCursor, page } from '../infra/cursor.js';
import type { RefusalReason, RequestWithClock, RightsService } from '../rights/index.js';
import type { RecordCorrections } from '../vault/index.js';
import { parseRecordFields } from '../vault/index.js';
import type { ActiveConsents, Notifier, RectificationStore, RectificationTask, TaskStatus } from './ports.js';
import { nextStep, outcomeOf } from './rectification-outcome.js';

/** Webhook event types this capability sends (no personal data in them: ids, field paths, times). */
export const TASK_CREATED = 'rectification.task_created';
export const RECORD_RECTIFIED = 'record.rectified';

export interface RectificationDeps {
  store: RectificationStore;
  corrections: Pick<RecordCorrections, 'holdersOf' | 'sealProposal' | 'openProposals' | 'correct' | 'versionsOf'>;
  rights: Pick<RightsService, 'file' | 'act' | 'get' | 'mineOne'>;
  subjects: { subjectId(nationalId: string, create: boolean): Promise<string | undefined> };
  consents: ActiveConsents;
  notify: Notifier;
  clock: Clock;
  newId: () => string;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/** A task as its custodian sees it: with the values the citizen proposes, in clear. */
export type CustodianTask = RectificationTask & { proposed: Record<string, unknown>; dueAt: Date };

/**
 * The right to rectification, through the custodians that deposited the data: the citizen asks for
 * fields to be corrected; each record holding them becomes a task for its custodian, who accepts
 * (a new version of the record, the old one kept as superseded) or rejects with a reason. When every
 * task is resolved, the request completes or is refused through the rights service's transitions.
 */
export class RectificationService {
  constructor(private readonly deps: RectificationDeps) {}

  /** A citizen asks for `corrections` (`category.field` → proposed value); every custodian holding a field gets a task. */
  async request(nationalId: string, corrections: Record<string, unknown>): Promise<{ request: RequestWithClock; tasks: RectificationTask[] }> {
    const { corrections: vault, store } = this.deps;
    const paths = Object.keys(corrections).sort();
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    const holders = subjectId ? await vault.holdersOf(subjectId, paths) : [];
    const held = new Set(holders.flatMap((h) => h.fields.map((name) => `${h.category}.${name}`)));
    const unheld = paths.filter((p) => !held.has(p));
    if (!subjectId || unheld.length > 0)
      throw new DomainError('invalid_request', 'no custodian holds some of these fields about you, so there is nothing to correct', {
        errors: unheld.map((p) => ({ path: `/corrections/${p}`, message: 'no record of yours holds this field' })),
      });
    // Checked against the vocabulary now, so a custodian never meets a value it cannot store.
    const values: Record<string, unknown> = {};
    for (const category of new Set(paths.map((p) => p.split('.')[0]!))) {
      const names = paths.filter((p) => p.startsWith(`${category}.`));
      const parsed = parseRecordFields(category, Object.fromEntries(names.map((p) => [p.slice(category.length + 1), corrections[p]])));
      for (const [name, value] of Object.entries(parsed)) values[`${category}.${name}`] = value;
    }
    const filed = await this.deps.rights.file(nationalId, { kind: 'RECTIFY', fields: paths });
    const requestId = filed.request.id;
    const proposals = await Promise.all(paths.map(async (field) => ({ field, sealed: await vault.sealProposal(subjectId, requestId, field, values[field]) })));
    const now = this.deps.clock.now();
    const tasks: RectificationTask[] = holders.map((h) => ({
      id: this.deps.newId(),
      requestId,
      subjectId,
      custodianOrgId: h.custodianOrgId,
      recordId: h.recordId,
      category: h.category,
      fields: h.fields,
      baseVersion: h.version,
      status: 'OPEN',
      createdAt: now,
      resolvedAt: null,
      rejectReason: null,
      newVersion: null,
    }));
    await store.insert(requestId, proposals, tasks);
    for (const t of tasks)
      await this.notifySafely(t.custodianOrgId, TASK_CREATED, {
        taskId: t.id,
        requestId,
        recordId: t.recordId,
        fields: t.fields.map((name) => `${t.category}.${name}`),
        dueAt: filed.request.dueAt.toISOString(),
      });
    return { request: filed, tasks };
  }

  /** The tasks of one of the citizen's rectification requests (another citizen's is not found). */
  async tasksOfMine(nationalId: string, requestId: string): Promise<RectificationTask[]> {
    await this.deps.rights.mineOne(nationalId, requestId);
    return this.deps.store.forRequest(requestId);
  }

  /** A custodian's tasks, oldest first (its work queue), with the proposed values, a page at a time. */
  async tasksFor(
    custodianOrgId: string,
    query: { status?: TaskStatus; limit: number; cursor?: string },
  ): Promise<{ items: CustodianTask[]; nextCursor: string }> {
    const after = decodeCursor(query.cursor, ['instant', 'uuid'] as const);
    const rows = await this.deps.store.forCustodian(custodianOrgId, {
      limit: query.limit + 1,
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { after: { createdAt: new Date(after[0]), id: after[1] } } : {}),
    });
    const { items, nextCursor } = page(rows, query.limit, (t) => [t.createdAt.toISOString(), t.id]);
    return { items: await Promise.all(items.map((t) => this.withProposal(t))), nextCursor };
  }

  /** One of the custodian's tasks; another organisation's is not found. */
  async task(custodianOrgId: string, id: string): Promise<CustodianTask> {
    return this.withProposal(await this.own(custodianOrgId, id));
  }

  /** The record's versions, oldest first, superseded ones marked (the custodian's audit view of its task's record). */
  async versions(custodianOrgId: string, id: string) {
    const task = await this.own(custodianOrgId, id);
    return this.deps.corrections.versionsOf(custodianOrgId, task.recordId);
  }

  /** The custodian accepts: its record gets a new version with the proposed values. A retry returns the same version. */
  async accept(custodianOrgId: string, id: string): Promise<CustodianTask> {
    const task = await this.own(custodianOrgId, id);
    if (task.status === 'REJECTED') throw new DomainError('conflict', `task ${id} was rejected already`, { taskStatus: task.status });
    if (task.status === 'OPEN') {
      await this.requireOpenRequest(task);
      const { proposed } = await this.withProposal(task);
      const changes = Object.fromEntries(task.fields.map((name) => [name, proposed[`${task.category}.${name}`]]));
      const corrected = await this.deps.corrections.correct(custodianOrgId, task.recordId, task.baseVersion, changes, task.id);
      const at = this.deps.clock.now();
      if (await this.deps.store.resolve(id, { status: 'ACCEPTED', newVersion: corrected.version }, at)) {
        await this.tellConsumers(task, corrected.version, at);
      }
    }
    await this.settle(task.requestId);
    return this.task(custodianOrgId, id);
  }

  /** The custodian rejects, with a reason the citizen can read. */
  async reject(custodianOrgId: string, id: string, reason: RefusalReason): Promise<CustodianTask> {
    const task = await this.own(custodianOrgId, id);
    if (task.status !== 'OPEN' && !(task.status === 'REJECTED' && task.rejectReason === reason))
      throw new DomainError('conflict', `task ${id} was ${task.status.toLowerCase()} already`, { taskStatus: task.status });
    if (task.status === 'OPEN') await this.requireOpenRequest(task);
    if (task.status === 'OPEN' && !(await this.deps.store.resolve(id, { status: 'REJECTED', reason }, this.deps.clock.now())))
      throw new DomainError('conflict', `task ${id} was resolved meanwhile; reload it`);
    await this.settle(task.requestId);
    return this.task(custodianOrgId, id);
  }

  /**
   * Moves the request on once every task is resolved, one rights transition at a time (each on the
   * ledger), as the custodian. Two custodians resolving the last tasks at once race here: the loser's
   * step is refused as a conflict or an illegal transition, and it reads the request again.
   */
  private async settle(requestId: string): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { request } = await this.deps.rights.get(requestId);
      const step = nextStep(request.state, outcomeOf(request.fields, await this.deps.store.forRequest(requestId)));
      if (!step) return;
      try {
        await this.deps.rights.act(requestId, step, 'custodian');
      } catch (err) {
        if (!(err instanceof DomainError && (err.code === 'conflict' || err.code === 'illegal_transition'))) throw err;
      }
    }
  }

  /** Every consumer with an active consent on a corrected field is told: which consent, which fields, the new version. */
  private async tellConsumers(task: RectificationTask, version: number, at: Date): Promise<void> {
    const corrected = task.fields.map((name) => `${task.category}.${name}`);
    for (const consent of await this.deps.consents.activeFor(task.subjectId)) {
      const fields = corrected.filter((f) => consent.grantedFields.includes(f));
      if (fields.length === 0) continue;
      await this.notifySafely(consent.consumerOrgId, RECORD_RECTIFIED, {
        consentId: consent.id,
        recordId: task.recordId,
        version,
        fields,
        rectifiedAt: at.toISOString(),
      });
    }
  }

  /** A notification that cannot be queued must not undo a correction already made; it is logged. */
  private async notifySafely(organizationId: string, type: string, data: Record<string, unknown>): Promise<void> {
    await this.deps.notify
      .notify(organizationId, type, data)
      .catch((err: unknown) => this.deps.log('webhook not queued', { organizationId, type, error: String(err) }));
  }

  /** Once the operator has closed the request (refused it, or completed it by hand), its open tasks can no longer change the record. */
  private async requireOpenRequest(task: RectificationTask): Promise<void> {
    const { request } = await this.deps.rights.get(task.requestId);
    if (request.state === 'COMPLETED' || request.state === 'REFUSED')
      throw new DomainError('conflict', `the citizen's request ${task.requestId} was closed (${request.state}); its tasks can no longer be acted on`, {
        requestState: request.state,
      });
  }

  private async own(custodianOrgId: string, id: string): Promise<RectificationTask> {
    const task = await this.deps.store.get(id);
    if (!task || task.custodianOrgId !== custodianOrgId) throw new DomainError('not_found', `no rectification task ${id} of yours`);
    return task;
  }

  private async withProposal(task: RectificationTask): Promise<CustodianTask> {
    const { request } = await this.deps.rights.get(task.requestId);
    const mine = new Set(task.fields.map((name) => `${task.category}.${name}`));
    const sealed = (await this.deps.store.proposals(task.requestId)).filter((p) => mine.has(p.field));
    // Once the citizen is erased their data key is gone, and with it the proposed values: the task shows none.
    const proposed = await this.deps.corrections
      .openProposals(task.subjectId, task.requestId, sealed)
      .catch((err: unknown) => (err instanceof DomainError && err.code === 'not_found' ? {} : Promise.reject(err)));
    return { ...task, proposed, dueAt: request.dueAt };
  }
}
