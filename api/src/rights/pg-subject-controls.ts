import type { Sql } from '../infra/database.js';
import { open } from '../infra/aead.js';
import type { SubjectControlRecord } from './subject-control-record.js';

export interface LegalHold {
  id: string;
  subjectId: string;
  reason: string;
  placedAt: Date;
  liftedAt: Date | null;
  liftReason: string | null;
}

export interface Restriction {
  requestId: string;
  subjectId: string;
  kind: 'RESTRICT' | 'OBJECT';
  placedAt: Date;
  liftedAt: Date | null;
  liftReason: string | null;
}

export interface ErasureRow {
  requestId: string;
  subjectId: string;
  steps: string[];
  startedAt: Date;
  shreddedAt: Date | null;
  revokedConsents: string[];
  deletedCopies: Record<string, number>;
  storageCompacted: boolean | null;
  certificate: Record<string, unknown> | null;
  certificateJws: string | null;
  certificateHash: string | null;
  finishedAt: Date | null;
}

export interface PendingControl {
  id: string;
  record: SubjectControlRecord;
  attempts: number;
}

type Tx = Sql;

/**
 * Legal holds, restrictions, erasures in progress, certificate claims and the ledger outbox of
 * subject controls. Holds and the start of an erasure take the same per-subject advisory lock, so a
 * hold placed while an erasure starts either blocks it or is refused: never both.
 */
/** The advisory lock key that keeps storage compactions one at a time. */
const COMPACTION_LOCK = 0x63760001;

export class PgSubjectControls {
  constructor(private readonly sql: Sql) {}

  /** Runs `work` in a transaction holding the subject's lock. */
  async underSubjectLock<T>(subjectId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtextextended(${'cv:subject:' + subjectId}, 0))`;
      return work(tx as unknown as Tx);
    }) as Promise<T>;
  }

  async activeHold(tx: Tx, subjectId: string): Promise<LegalHold | undefined> {
    const [row] = await tx<HoldRow[]>`select * from legal_holds where subject_id = ${subjectId} and lifted_at is null order by placed_at limit 1`;
    return row && hold(row);
  }

  async insertHold(tx: Tx, h: { id: string; subjectId: string; reason: string; placedAt: Date }, event: SubjectControlRecord): Promise<void> {
    await tx`insert into legal_holds (id, subject_id, reason, placed_at) values (${h.id}, ${h.subjectId}, ${h.reason}, ${h.placedAt})`;
    await this.enqueue(tx, event);
  }

  async liftHold(id: string, at: Date, reason: string, eventOf: (h: LegalHold) => SubjectControlRecord): Promise<LegalHold | undefined> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<HoldRow[]>`update legal_holds set lifted_at = ${at}, lift_reason = ${reason} where id = ${id} and lifted_at is null returning *`;
      if (!row) return undefined;
      await this.enqueue(tx as unknown as Tx, eventOf(hold(row)));
      return hold(row);
    }) as Promise<LegalHold | undefined>;
  }

  async getHold(id: string): Promise<LegalHold | undefined> {
    const [row] = await this.sql<HoldRow[]>`select * from legal_holds where id = ${id}`;
    return row && hold(row);
  }

  async holdsOf(subjectId: string): Promise<LegalHold[]> {
    return (await this.sql<HoldRow[]>`select * from legal_holds where subject_id = ${subjectId} order by placed_at`).map(hold);
  }

  // Restrictions.

  /** Places the restriction a request asked for; answers false if it was already placed (a retry). */
  async placeRestriction(r: { requestId: string; subjectId: string; kind: 'RESTRICT' | 'OBJECT'; at: Date }, event: SubjectControlRecord): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const inserted =
        await tx`insert into subject_restrictions (request_id, subject_id, kind, placed_at) values (${r.requestId}, ${r.subjectId}, ${r.kind}, ${r.at})
                                on conflict (request_id) do nothing returning 1`;
      if (inserted.length > 0) await this.enqueue(tx as unknown as Tx, event);
      return inserted.length > 0;
    }) as Promise<boolean>;
  }

  async liftRestriction(requestId: string, at: Date, reason: string, eventOf: (r: Restriction) => SubjectControlRecord): Promise<Restriction | undefined> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<RestrictionRow[]>`
        update subject_restrictions set lifted_at = ${at}, lift_reason = ${reason} where request_id = ${requestId} and lifted_at is null returning *`;
      if (!row) return undefined;
      await this.enqueue(tx as unknown as Tx, eventOf(restriction(row)));
      return restriction(row);
    }) as Promise<Restriction | undefined>;
  }

  async restriction(requestId: string): Promise<Restriction | undefined> {
    const [row] = await this.sql<RestrictionRow[]>`select * from subject_restrictions where request_id = ${requestId}`;
    return row && restriction(row);
  }

  async stillRestricted(subjectId: string): Promise<boolean> {
    const rows = await this.sql`select 1 from subject_restrictions where subject_id = ${subjectId} and lifted_at is null limit 1`;
    return rows.length > 0;
  }

  // Certificate claims.

  async insertClaim(requestId: string, salt: Buffer, hash: Buffer, tokenSubject: string): Promise<void> {
    await this.sql`insert into erasure_claims (request_id, claim_salt, claim_hash, token_subject) values (${requestId}, ${salt}, ${hash}, ${tokenSubject})
                   on conflict (request_id) do nothing`;
  }

  async claim(requestId: string): Promise<{ salt: Buffer; hash: Buffer; tokenSubject: string | null } | undefined> {
    const [row] = await this.sql<{ claim_salt: Buffer; claim_hash: Buffer; token_subject: string | null }[]>`
      select claim_salt, claim_hash, token_subject from erasure_claims where request_id = ${requestId}`;
    return row && { salt: row.claim_salt, hash: row.claim_hash, tokenSubject: row.token_subject };
  }

  // Erasures.

  async startErasure(tx: Tx, requestId: string, subjectId: string, at: Date): Promise<void> {
    await tx`insert into erasures (request_id, subject_id, started_at) values (${requestId}, ${subjectId}, ${at}) on conflict (request_id) do nothing`;
  }

  async erasure(requestId: string): Promise<ErasureRow | undefined> {
    const [row] = await this.sql<ErasureDbRow[]>`select * from erasures where request_id = ${requestId}`;
    return row && erasure(row);
  }

  async erasureStartedFor(tx: Tx, subjectId: string): Promise<boolean> {
    return (await tx`select 1 from erasures where subject_id = ${subjectId} limit 1`).length > 0;
  }

  async markStep(
    requestId: string,
    step: string,
    set: { revokedConsents?: string[]; deletedCopies?: Record<string, number>; shreddedAt?: Date; storageCompacted?: boolean } = {},
  ): Promise<void> {
    await this.sql`
      update erasures set steps = case when ${step} = any(steps) then steps else steps || ${step}::text end,
        revoked_consents = coalesce(${set.revokedConsents ?? null}::uuid[], revoked_consents),
        deleted_copies = deleted_copies || ${this.sql.json(set.deletedCopies ?? {})},
        shredded_at = coalesce(shredded_at, ${set.shreddedAt ?? null}),
        storage_compacted = coalesce(${set.storageCompacted ?? null}, storage_compacted)
      where request_id = ${requestId}`;
  }

  async certify(requestId: string, c: { certificate: Record<string, unknown>; jws: string; hash: string }, event: SubjectControlRecord): Promise<void> {
    await this.sql.begin(async (tx) => {
      const updated = await tx`update erasures set certificate = ${tx.json(c.certificate as never)}, certificate_jws = ${c.jws}, certificate_hash = ${c.hash}
               where request_id = ${requestId} and certificate is null returning 1`;
      if (updated.length > 0) await this.enqueue(tx as unknown as Tx, event);
    });
  }

  async finishErasure(requestId: string, at: Date): Promise<void> {
    await this.sql`update erasures set finished_at = coalesce(finished_at, ${at}) where request_id = ${requestId}`;
  }

  /** Erasures whose request is still open or whose steps did not all run: what the sweep finishes. */
  async unfinishedErasures(): Promise<string[]> {
    const rows = await this.sql<{ request_id: string }[]>`
      select e.request_id from erasures e join rights_requests r on r.id = e.request_id
      where e.finished_at is null or r.state not in ('COMPLETED', 'REFUSED') order by e.started_at limit 100`;
    return rows.map((r) => r.request_id);
  }

  // Copies an erasure deletes.

  /** The citizen's portal sessions (their sealed principal holds the national id) and their own Idempotency-Key answers. */
  async deleteCitizenCopies(tokenSubject: string): Promise<{ sessions: number; citizenIdempotency: number }> {
    const sessions = await this.sql`delete from sessions where subject = ${tokenSubject}`;
    const keys = await this.sql`delete from idempotency_keys where scope = ${'citizen:' + tokenSubject}`;
    return { sessions: sessions.count, citizenIdempotency: keys.count };
  }

  /**
   * Organisations' stored Idempotency-Key answers that carry the subject (a consented read's data, a
   * consent or deposit answer naming the subject). They are sealed with the KEK, so each is opened
   * here — the binding is the one http/idempotency.ts seals with — and deleted if it names them.
   */
  async deleteOrganizationCopies(subjectId: string, kek: Uint8Array): Promise<number> {
    const rows = await this.sql<{ scope: string; key: string; body: Buffer }[]>`
      select scope, key, body from idempotency_keys where completed and body is not null and octet_length(body) > 0 and scope not like 'citizen:%'`;
    let deleted = 0;
    for (const row of rows) {
      let text: string;
      try {
        text = Buffer.from(open(kek, row.body, `cv:idempotency:v1|${row.scope}|${row.key}`)).toString('utf8');
      } catch {
        continue; // sealed under another KEK version: the KEK rotation re-seals or drops it
      }
      if (!text.includes(subjectId)) continue;
      deleted += (await this.sql`delete from idempotency_keys where scope = ${row.scope} and key = ${row.key}`).count;
    }
    return deleted;
  }

  /** Webhook deliveries not yet sent whose payload names the subject (the outbox's data). */
  async deletePendingDeliveries(subjectId: string): Promise<number> {
    return (await this.sql`delete from webhook_deliveries where status <> 'DELIVERED' and payload::text like ${'%' + subjectId + '%'}`).count;
  }

  async clearTokenSubject(requestId: string): Promise<void> {
    await this.sql`update erasure_claims set token_subject = null where request_id = ${requestId}`;
  }

  /**
   * Deleted rows and overwritten keys stay in the table files as dead tuples, and in the WAL, until
   * Postgres reuses the space. VACUUM FULL rewrites the tables that held the key or copies into new
   * files (the old ones are truncated), then a checkpoint, a WAL switch and a second checkpoint let
   * Postgres drop the WAL segments that still hold them (with wal_recycle=off they are unlinked, not
   * kept for reuse). Needs ownership of the tables and, for the WAL, pg_checkpoint and pg_switch_wal:
   * answers false when the database refused any step, so the certificate says so.
   */
  async compactStorage(startedAt: Date): Promise<boolean | 'busy'> {
    // One compaction at a time across API instances: a session lock on its own connection (VACUUM
    // cannot run inside a transaction, so a transaction's lock cannot hold it).
    const conn = await this.sql.reserve();
    try {
      const [lock] = await conn<{ locked: boolean }[]>`select pg_try_advisory_lock(${COMPACTION_LOCK}) as locked`;
      if (!lock?.locked) return 'busy';
      let ok = true;
      try {
        await conn.unsafe('vacuum (full) subjects, record_versions, statistics_profiles, sessions, idempotency_keys, erasure_claims, webhook_deliveries');
        await conn.unsafe('checkpoint');
        await conn.unsafe('select pg_switch_wal()');
        await conn.unsafe('checkpoint');
      } catch {
        ok = false;
      }
      await conn`insert into storage_compactions (started_at, finished_at, ok) values (${startedAt}, now(), ${ok}) on conflict (started_at) do nothing`;
      await conn`select pg_advisory_unlock(${COMPACTION_LOCK})`;
      return ok;
    } finally {
      conn.release();
    }
  }

  /** The latest compaction that ran to the end: when it started. */
  async lastCompaction(): Promise<{ startedAt: Date; ok: boolean } | undefined> {
    const [row] = await this.sql<{ started_at: Date; ok: boolean }[]>`select started_at, ok from storage_compactions order by started_at desc limit 1`;
    return row ? { startedAt: row.started_at, ok: row.ok } : undefined;
  }

  // The ledger outbox of subject controls.

  async enqueue(tx: Tx, event: SubjectControlRecord): Promise<void> {
    await tx`insert into subject_control_events (id, subject_id, type, record) values (${event.id}, ${event.subjectId}, ${event.type}, ${tx.json(event as never)})
             on conflict (id) do nothing`;
  }

  async pendingControls(limit: number): Promise<PendingControl[]> {
    const rows = await this.sql<{ id: string; record: SubjectControlRecord; ledger_attempts: number }[]>`
      select id, record, ledger_attempts from subject_control_events where recorded_tx_id is null order by created_at limit ${limit}`;
    return rows.map((r) => ({ id: r.id, record: r.record, attempts: r.ledger_attempts }));
  }

  async markControlRecorded(id: string, txId: string): Promise<void> {
    await this.sql`update subject_control_events set recorded_tx_id = ${txId}, recorded_at = now(), ledger_error = null where id = ${id}`;
  }

  async markControlFailed(id: string, error: string): Promise<void> {
    await this.sql`update subject_control_events set ledger_attempts = ledger_attempts + 1, ledger_error = ${error} where id = ${id}`;
  }

  async controlTx(id: string): Promise<string | null> {
    const [row] = await this.sql<{ recorded_tx_id: string | null }[]>`select recorded_tx_id from subject_control_events where id = ${id}`;
    return row?.recorded_tx_id ?? null;
  }
}

interface HoldRow {
  id: string;
  subject_id: string;
  reason: string;
  placed_at: Date;
  lifted_at: Date | null;
  lift_reason: string | null;
}
const hold = (r: HoldRow): LegalHold => ({
  id: r.id,
  subjectId: r.subject_id,
  reason: r.reason,
  placedAt: r.placed_at,
  liftedAt: r.lifted_at,
  liftReason: r.lift_reason,
});

interface RestrictionRow {
  request_id: string;
  subject_id: string;
  kind: 'RESTRICT' | 'OBJECT';
  placed_at: Date;
  lifted_at: Date | null;
  lift_reason: string | null;
}
const restriction = (r: RestrictionRow): Restriction => ({
  requestId: r.request_id,
  subjectId: r.subject_id,
  kind: r.kind,
  placedAt: r.placed_at,
  liftedAt: r.lifted_at,
  liftReason: r.lift_reason,
});

interface ErasureDbRow {
  request_id: string;
  subject_id: string;
  steps: string[];
  started_at: Date;
  shredded_at: Date | null;
  revoked_consents: string[];
  deleted_copies: Record<string, number>;
  storage_compacted: boolean | null;
  certificate: Record<string, unknown> | null;
  certificate_jws: string | null;
  certificate_hash: string | null;
  finished_at: Date | null;
}
const erasure = (r: ErasureDbRow): ErasureRow => ({
  requestId: r.request_id,
  subjectId: r.subject_id,
  steps: r.steps,
  startedAt: r.started_at,
  shreddedAt: r.shredded_at,
  revokedConsents: r.revoked_consents,
  deletedCopies: r.deleted_copies,
  storageCompacted: r.storage_compacted,
  certificate: r.certificate,
  certificateJws: r.certificate_jws,
  certificateHash: r.certificate_hash,
  finishedAt: r.finished_at,
});
