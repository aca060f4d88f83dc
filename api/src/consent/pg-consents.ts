import type { ConsentStatus } from '@citizen-vault/chaincode/rules';
import type { Sql } from '../infra/database.js';
import { intentJson, type ConsentInsert, type ConsentRow, type ConsentStore, type EarlierRequest } from './consent-store.js';

export { intentRow, type ConsentInsert, type ConsentRow } from './consent-store.js';

const SELECT = (sql: Sql) => sql`select c.*, o.name as consumer_name from consents c join organizations o on o.id = c.consumer_org_id`;

/** The consent read model in Postgres. */
export class PgConsents implements ConsentStore {
  constructor(private readonly sql: Sql) {}

  /** Stops reads of a consent now, before a revoke or pause goes to the ledger. */
  async block(id: string, action: 'revoke' | 'pause'): Promise<void> {
    await this.sql`update consents set blocked_by = ${action}, blocked_at = now() where id = ${id}`;
  }

  /** Lifts a block the ledger refused (the consent stays as it was). */
  async unblock(id: string): Promise<void> {
    await this.sql`update consents set blocked_by = null, blocked_at = null where id = ${id}`;
  }

  /** What a request keeps before it goes to the ledger: the row to insert once it has committed. */
  async insertIntent(row: ConsentInsert): Promise<void> {
    await this
      .sql`insert into consent_intents (id, consent, artefact_salt, request_ref) values (${row.id}, ${this.sql.json(intentJson(row) as never)}, ${row.artefact_salt}, ${row.request_ref ?? null})`;
  }

  /** The consent, or the intent of one, that a request with this Idempotency-Key already made. */
  async byRequestRef(ref: string): Promise<EarlierRequest> {
    const [row] = await this.sql<ConsentRow[]>`${SELECT(this.sql)} where c.request_ref = ${ref}`;
    if (row) return { consent: row };
    const [intent] = await this.sql<
      { consent: Record<string, unknown>; artefact_salt: Buffer }[]
    >`select consent, artefact_salt from consent_intents where request_ref = ${ref}`;
    return intent ? { intent } : {};
  }

  async dropIntent(id: string): Promise<void> {
    await this.sql`delete from consent_intents where id = ${id}`;
  }

  /** Inserts the read-model row of a committed request and drops its intent, together; a row already there is left alone. */
  async insert(c: ConsentInsert): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`delete from consent_intents where id = ${c.id}`;
      await tx`
      insert into consents (id, subject_id, consumer_org_id, purpose, requested_fields, access_mode, valid_from, valid_until, retention_days,
                            onward_transfer, cross_border, justification, status, artefact, artefact_salt, artefact_hash, requested_at, updated_at, request_ref)
      values (${c.id}, ${c.subject_id}, ${c.consumer_org_id}, ${c.purpose}, ${c.requested_fields}, ${tx.json(c.access_mode as never)}, ${c.valid_from},
              ${c.valid_until}, ${c.retention_days}, ${c.onward_transfer}, ${c.cross_border}, ${c.justification}, ${c.status},
              ${tx.json(c.artefact as never)}, ${c.artefact_salt}, ${c.artefact_hash}, ${c.requested_at}, ${c.updated_at}, ${c.request_ref ?? null})
      on conflict (id) do nothing`;
    });
  }

  async get(id: string): Promise<ConsentRow | undefined> {
    const [row] = await this.sql<ConsentRow[]>`${SELECT(this.sql)} where c.id = ${id}`;
    return row;
  }

  /** A consumer's consents, newest first, a page at a time after the `(requested_at, id)` cursor. */
  async forConsumer(consumerOrgId: string, page: { status?: ConsentStatus; limit: number; after?: { requestedAt: Date; id: string } }): Promise<ConsentRow[]> {
    return this.sql<ConsentRow[]>`${SELECT(this.sql)}
      where c.consumer_org_id = ${consumerOrgId}
      ${page.status ? this.sql`and c.status = ${page.status}` : this.sql``}
      ${page.after ? this.sql`and (c.requested_at, c.id) < (${page.after.requestedAt}, ${page.after.id})` : this.sql``}
      order by c.requested_at desc, c.id desc limit ${page.limit}`;
  }

  async forSubject(subjectId: string, status?: ConsentStatus): Promise<ConsentRow[]> {
    return this.sql<
      ConsentRow[]
    >`${SELECT(this.sql)} where c.subject_id = ${subjectId} ${status ? this.sql`and c.status = ${status}` : this.sql``} order by c.requested_at desc`;
  }

  /** Writes the state a committed ledger transaction produced, unless a later one is already there; a pending block is lifted with it. */
  async applyDecision(id: string, d: { status: ConsentStatus; grantedFields: string[]; decidedAt: string | undefined; updatedAt: string }): Promise<void> {
    await this
      .sql`update consents set status = ${d.status}, granted_fields = ${d.grantedFields}, decided_at = ${d.decidedAt ?? null}, updated_at = ${d.updatedAt},
                     blocked_by = null, blocked_at = null
                   where id = ${id} and updated_at <= ${d.updatedAt}`;
  }

  /**
   * The consent with the granted reads already made in its current usage period, in one round trip
   * (the period depends on the consent's mode, so the day, month and `once` periods are all given).
   */
  async getWithUses(
    id: string,
    periods: { day: string; month: string },
  ): Promise<(ConsentRow & { uses: number; subject_restricted?: boolean; reconsent_paused?: boolean }) | undefined> {
    const [row] = await this.sql<(ConsentRow & { uses: number; subject_restricted: boolean; reconsent_paused: boolean })[]>`
      select c.*, o.name as consumer_name,
        coalesce((select u.uses from consent_usage u
          where u.consent_id = c.id
            and u.period = case when c.access_mode->>'mode' = 'ONCE' then 'once'
                                when c.access_mode->>'per' = 'DAY' then ${periods.day} else ${periods.month} end), 0) as uses,
        exists (select 1 from subject_restrictions r where r.subject_id = c.subject_id and r.lifted_at is null) as subject_restricted,
        exists (select 1 from reconsent_requests rr where rr.consent_id = c.id and rr.resolved_at is null and rr.rule = 'pause') as reconsent_paused
      from consents c join organizations o on o.id = c.consumer_org_id
      where c.id = ${id}`;
    return row;
  }
}
