import type { ConsentStatus } from '@citizen-vault/chaincode/rules';
import type { ConsentUseGate } from '../audit/index.js';
import { intentJson, type ConsentInsert, type ConsentRow, type ConsentStore, type EarlierRequest } from './consent-store.js';

type Stored = Omit<ConsentRow, 'consumer_name'> & { request_ref: string | null };

/**
 * The consent read model in memory, for unit tests: the same contract as `PgConsents`. It is also
 * the use counter the in-memory access log checks a granted read against, as the Postgres log
 * reads `consents` and `consent_usage` in its transaction.
 */
class MemoryConsents implements ConsentStore, ConsentUseGate {
  private readonly rows = new Map<string, Stored>();
  private readonly intents = new Map<string, { consent: Record<string, unknown>; artefact_salt: Buffer; request_ref: string | null }>();
  private readonly usage = new Map<string, number>();

  constructor(private readonly organizationName: (id: string) => string) {}

  async block(id: string, action: 'revoke' | 'pause'): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.blocked_by = action;
  }

  async unblock(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row) row.blocked_by = null;
  }

  async insertIntent(row: ConsentInsert): Promise<void> {
    if (this.intents.has(row.id)) throw new Error(`intent ${row.id} exists`);
    // Through JSON, as the jsonb column does: the intent comes back with its dates as strings.
    this.intents.set(row.id, {
      consent: JSON.parse(JSON.stringify(intentJson(row))) as Record<string, unknown>,
      artefact_salt: row.artefact_salt,
      request_ref: row.request_ref ?? null,
    });
  }

  async byRequestRef(ref: string): Promise<EarlierRequest> {
    const row = [...this.rows.values()].find((r) => r.request_ref === ref);
    if (row) return { consent: this.view(row) };
    const intent = [...this.intents.values()].find((i) => i.request_ref === ref);
    return intent ? { intent: { consent: intent.consent, artefact_salt: intent.artefact_salt } } : {};
  }

  async dropIntent(id: string): Promise<void> {
    this.intents.delete(id);
  }

  async insert(c: ConsentInsert): Promise<void> {
    this.intents.delete(c.id);
    if (this.rows.has(c.id)) return;
    const { artefact_salt: _salt, request_ref, ...rest } = c;
    this.rows.set(c.id, { ...rest, granted_fields: [], decided_at: null, blocked_by: null, request_ref: request_ref ?? null });
  }

  async get(id: string): Promise<ConsentRow | undefined> {
    const row = this.rows.get(id);
    return row ? this.view(row) : undefined;
  }

  async forConsumer(consumerOrgId: string, page: { status?: ConsentStatus; limit: number; after?: { requestedAt: Date; id: string } }): Promise<ConsentRow[]> {
    return this.newestFirst(
      (r) => r.consumer_org_id === consumerOrgId && (!page.status || r.status === page.status) && (!page.after || before(r, page.after)),
    ).slice(0, page.limit);
  }

  async forSubject(subjectId: string, status?: ConsentStatus): Promise<ConsentRow[]> {
    return this.newestFirst((r) => r.subject_id === subjectId && (!status || r.status === status));
  }

  async applyDecision(id: string, d: { status: ConsentStatus; grantedFields: string[]; decidedAt: string | undefined; updatedAt: string }): Promise<void> {
    const row = this.rows.get(id);
    if (!row || row.updated_at.getTime() > Date.parse(d.updatedAt)) return;
    Object.assign(row, {
      status: d.status,
      granted_fields: [...d.grantedFields],
      decided_at: d.decidedAt ? new Date(d.decidedAt) : null,
      updated_at: new Date(d.updatedAt),
      blocked_by: null,
    });
  }

  async getWithUses(id: string, periods: { day: string; month: string }): Promise<(ConsentRow & { uses: number }) | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const mode = row.access_mode;
    const period = mode.mode === 'ONCE' ? 'once' : mode.per === 'DAY' ? periods.day : periods.month;
    return { ...this.view(row), uses: this.usage.get(`${id}|${period}`) ?? 0 };
  }

  usable(consentId: string): boolean {
    const row = this.rows.get(consentId);
    return row?.status === 'ACTIVE' && row.blocked_by === null;
  }

  takeUse(consentId: string, period: string, limit: number): boolean {
    if (!this.usable(consentId)) return false;
    const key = `${consentId}|${period}`;
    const uses = this.usage.get(key) ?? 0;
    if (uses >= limit) return false;
    this.usage.set(key, uses + 1);
    return true;
  }

  private newestFirst(keep: (r: Stored) => boolean): ConsentRow[] {
    return [...this.rows.values()]
      .filter(keep)
      .sort((a, b) => (before(a, { requestedAt: b.requested_at, id: b.id }) ? 1 : before(b, { requestedAt: a.requested_at, id: a.id }) ? -1 : 0))
      .map((r) => this.view(r));
  }

  private view(row: Stored): ConsentRow {
    const { request_ref: _ref, ...rest } = row;
    return {
      ...rest,
      requested_fields: [...rest.requested_fields],
      granted_fields: [...rest.granted_fields],
      consumer_name: this.organizationName(row.consumer_org_id),
    };
  }
}

/** `(requested_at, id) < after`, as the Postgres row comparison orders them. */
function before(r: { requested_at: Date; id: string }, after: { requestedAt: Date; id: string }): boolean {
  return r.requested_at.getTime() < after.requestedAt.getTime() || (r.requested_at.getTime() === after.requestedAt.getTime() && r.id < after.id);
}

export type InMemoryConsentStore = ConsentStore & ConsentUseGate;

/** The in-memory consent store twin; hand it to `inMemoryAccessLog` as its use gate. */
export function inMemoryConsentStore(organizationName: (id: string) => string = () => ''): InMemoryConsentStore {
  return new MemoryConsents(organizationName);
}
