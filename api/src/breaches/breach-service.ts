import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import {
  clockOf,
  closeBreach,
  ledgerRecordOf,
  recordBreach,
  updateBreach,
  type Breach,
  type BreachAction,
  type BreachChanges,
  type BreachClosing,
  type Decision,
  type NewBreach,
} from './breach.js';
import { authorityForm, type AuthorityForm } from './authority-form.js';
import type { AffectedSummary, BreachDetail, BreachStore, BreachWithClock, CitizenNotice, ComposedVersion, SubjectIds } from './ports.js';

export type { BreachDetail, BreachWithClock } from './ports.js';

export interface BreachServiceDeps {
  store: BreachStore;
  subjects: SubjectIds;
  /** Puts a breach's pending versions on the ledger and its notices in the webhooks outbox (BreachOutbox). */
  outbox: { flush(breachId: string): Promise<unknown> };
  clock: Clock;
  newId: () => string;
}

export const BREACH_EVENTS: Record<BreachAction, string> = { record: 'breach.recorded', update: 'breach.updated', close: 'breach.closed' };

/**
 * The breach register's use cases: the operator records, updates and closes a breach; the citizens
 * affected are recomputed from the access log with each version and see their notices; each
 * organisation concerned gets a webhook event; the auditor reads the register with its clocks.
 */
export class BreachService {
  constructor(private readonly deps: BreachServiceDeps) {}

  async record(input: NewBreach): Promise<BreachWithClock> {
    await this.requireOrganizations(input.consumerOrgIds);
    const now = this.deps.clock.now();
    return this.write(recordBreach(this.deps.newId(), input, now), null, 'record', [], now);
  }

  async update(id: string, changes: BreachChanges): Promise<BreachWithClock> {
    const current = await this.require(id);
    if (changes.consumerOrgIds) await this.requireOrganizations(changes.consumerOrgIds);
    const now = this.deps.clock.now();
    return this.write(updateBreach(current, changes, now), current.version, 'update', current.consumerOrgIds, now);
  }

  async close(id: string, input: BreachClosing): Promise<BreachWithClock> {
    const current = await this.require(id);
    const now = this.deps.clock.now();
    return this.write(closeBreach(current, input, now), current.version, 'close', current.consumerOrgIds, now);
  }

  /** The register, open breaches first by deadline, each with its 72-hour clock. */
  async list(): Promise<BreachWithClock[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.list()).map((breach) => ({ breach, clock: clockOf(breach, now) }));
  }

  async get(id: string): Promise<BreachDetail> {
    const breach = await this.require(id);
    const [names, affected, versions] = await Promise.all([
      this.deps.store.organizationNames(breach.consumerOrgIds),
      this.deps.store.affectedByOrganization(id),
      this.deps.store.versions(id),
    ]);
    return {
      breach,
      clock: clockOf(breach, this.deps.clock.now()),
      consumers: breach.consumerOrgIds.map((org) => ({ id: org, name: names.get(org) ?? '', affectedSubjects: affected.get(org) ?? 0 })),
      versions,
    };
  }

  /** The notification in the authority's form, as of now. */
  async authorityForm(id: string): Promise<AuthorityForm> {
    return authorityForm(await this.get(id), this.deps.clock.now());
  }

  /** The register for the auditor: every breach with its clock, organisations and versions on the ledger. */
  async auditReport(): Promise<{ generatedAt: Date; items: BreachDetail[] }> {
    const generatedAt = this.deps.clock.now();
    const items = await Promise.all((await this.deps.store.list()).map((b) => this.get(b.id)));
    return { generatedAt, items };
  }

  /** The breaches that involved the citizen's data, newest first; nothing for a citizen the vault does not know. */
  async noticesFor(nationalId: string): Promise<{ notices: CitizenNotice[]; names: Map<string, string> }> {
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    if (!subjectId) return { notices: [], names: new Map() };
    const notices = await this.deps.store.noticesOf(subjectId);
    const names = await this.deps.store.organizationNames([...new Set(notices.flatMap((n) => n.consumerOrgIds))]);
    return { notices, names };
  }

  private async require(id: string): Promise<Breach> {
    const breach = await this.deps.store.get(id);
    if (!breach) throw new DomainError('not_found', `no breach ${id}`);
    return breach;
  }

  private async requireOrganizations(ids: readonly string[]): Promise<void> {
    const known = await this.deps.store.organizationNames(ids);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new DomainError('invalid_request', `no organisation ${unknown.join(', ')}`, {
        errors: [{ path: '/consumerOrgIds', message: `not an organisation: ${unknown.join(', ')}` }],
      });
  }

  private async write(decision: Decision, expectedVersion: number | null, action: BreachAction, previousOrgs: string[], now: Date): Promise<BreachWithClock> {
    if (!decision.ok) {
      throw new DomainError(decision.code, decision.detail, decision.path ? { errors: [{ path: decision.path, message: decision.detail }] } : {});
    }
    const written = await this.deps.store.write(decision.breach, expectedVersion, (affected) => compose(decision.breach, action, now, affected, previousOrgs));
    if (!written) throw new DomainError('conflict', `breach ${decision.breach.id} changed meanwhile; reload it and try again`);
    // Postgres has the version and its outboxes: if the ledger or the webhooks fail now, the worker finishes them.
    await this.deps.outbox.flush(written.id).catch(() => undefined);
    return { breach: written, clock: clockOf(written, now) };
  }
}

/** A version once its affected citizens are known: its counts, its ledger record, and the events for every organisation concerned (now or before). */
function compose(draft: Breach, action: BreachAction, at: Date, affected: AffectedSummary, previousOrgs: string[]): ComposedVersion {
  const breach: Breach = { ...draft, affectedSubjects: affected.subjects, affectedReads: affected.reads };
  const ledgerRecord = ledgerRecordOf(breach, action, at, affected.affectedHash);
  const orgs = [...new Set([...breach.consumerOrgIds, ...previousOrgs])].sort();
  const notices = orgs.map((organizationId) => ({
    organizationId,
    eventType: BREACH_EVENTS[action],
    data: {
      breachId: breach.id,
      version: breach.version,
      state: breach.state,
      concernsYou: breach.consumerOrgIds.includes(organizationId),
      summary: breach.summary,
      detectedAt: breach.detectedAt.toISOString(),
      notifyDueAt: breach.notifyDueAt.toISOString(),
      dataCategories: breach.dataCategories,
      fields: breach.fields,
      window: { from: breach.window.from.toISOString(), to: breach.window.to.toISOString() },
      measures: breach.measures,
      affectedSubjectsThroughYou: affected.byOrganization.get(organizationId) ?? 0,
      recordHash: ledgerRecord.recordHash,
    },
  }));
  return { breach, action, at, recordHash: ledgerRecord.recordHash, ledgerRecord, notices };
}
