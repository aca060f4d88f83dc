import type { DecisionEvidenceRecord } from '../consent/index.js';
import { decodeCursor, page } from '../infra/cursor.js';
import type { Sql } from '../infra/database.js';
import { newId } from '../ids.js';
import type { AssertionIdentity, PasskeyChallenge, PasskeyCredential, PasskeyEvent, PasskeyEventKind, PasskeyStore, StoredDecision } from './passkey-store.js';

interface CredentialRow {
  id: string;
  subject_id: string;
  cose_public_key: Buffer;
  public_key: Buffer;
  public_key_hash: string;
  sign_count: string;
  transports: string[];
  created_at: Date;
  last_used_at: Date | null;
  removed_at: Date | null;
}

interface ChallengeRow {
  challenge: string;
  subject_id: string;
  purpose: 'register' | 'decide';
  consent_id: string | null;
  statement: unknown;
  expires_at: Date;
  used_at: Date | null;
}

interface DecisionRow {
  transaction_id: string;
  consent_id: string;
  action: string;
  method: 'passkey' | 'session';
  statement: unknown;
  assertion: unknown;
  leaf_index: string | null;
  log_entry: Record<string, unknown> | null;
  artefact_jws: string | null;
  at: Date;
}

const credentialOf = (r: CredentialRow): PasskeyCredential & { removed: boolean } => ({
  id: r.id,
  subjectId: r.subject_id,
  cosePublicKey: new Uint8Array(r.cose_public_key),
  publicKey: new Uint8Array(r.public_key),
  publicKeyHash: r.public_key_hash,
  signCount: Number(r.sign_count),
  transports: r.transports,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  removed: r.removed_at !== null,
});

const challengeOf = (r: ChallengeRow): PasskeyChallenge => ({
  challenge: r.challenge,
  subjectId: r.subject_id,
  purpose: r.purpose,
  consentId: r.consent_id,
  statement: r.statement,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

const decisionOf = (r: DecisionRow): StoredDecision => ({
  transactionId: r.transaction_id,
  consentId: r.consent_id,
  action: r.action,
  method: r.method,
  ...(r.statement === null ? {} : { statement: r.statement }),
  ...(r.assertion === null ? {} : { assertion: r.assertion }),
  ...(r.leaf_index === null ? {} : { leafIndex: Number(r.leaf_index) }),
  ...(r.log_entry === null ? {} : { logEntry: r.log_entry }),
  ...(r.artefact_jws === null ? {} : { artefactJws: r.artefact_jws }),
  at: r.at,
});

/** Passkeys in Postgres (migration 022). */
export class PgPasskeys implements PasskeyStore {
  constructor(private readonly sql: Sql) {}

  async addCredential(c: PasskeyCredential): Promise<void> {
    await this.sql`
      insert into passkey_credentials (id, subject_id, cose_public_key, public_key, public_key_hash, sign_count, transports, created_at)
      values (${c.id}, ${c.subjectId}, ${Buffer.from(c.cosePublicKey)}, ${Buffer.from(c.publicKey)}, ${c.publicKeyHash}, ${c.signCount},
              ${this.sql.array(c.transports)}, ${c.createdAt})`;
  }

  async credentials(subjectId: string): Promise<PasskeyCredential[]> {
    const rows = await this.sql<CredentialRow[]>`
      select * from passkey_credentials where subject_id = ${subjectId} and removed_at is null order by created_at, id`;
    return rows.map(credentialOf);
  }

  async credential(id: string): Promise<(PasskeyCredential & { removed: boolean }) | undefined> {
    const [row] = await this.sql<CredentialRow[]>`select * from passkey_credentials where id = ${id}`;
    return row ? credentialOf(row) : undefined;
  }

  async removeCredential(subjectId: string, id: string, at: Date): Promise<boolean> {
    const rows = await this.sql`
      update passkey_credentials set removed_at = ${at} where id = ${id} and subject_id = ${subjectId} and removed_at is null returning id`;
    return rows.length === 1;
  }

  async touchCredential(id: string, signCount: number, at: Date): Promise<void> {
    await this.sql`update passkey_credentials set sign_count = ${signCount}, last_used_at = ${at} where id = ${id}`;
  }

  async issueChallenge(c: Omit<PasskeyChallenge, 'usedAt'>): Promise<void> {
    await this.sql`delete from passkey_challenges where expires_at < now() - interval '1 day'`;
    await this.sql`
      insert into passkey_challenges (challenge, subject_id, purpose, consent_id, statement, expires_at)
      values (${c.challenge}, ${c.subjectId}, ${c.purpose}, ${c.consentId}, ${c.statement === null ? null : this.sql.json(c.statement as never)}, ${c.expiresAt})
      on conflict (challenge) do nothing`; // the same statement asked twice in one millisecond: one challenge, usable once
  }

  async consumeChallenge(challenge: string, at: Date): Promise<{ consumed: PasskeyChallenge } | { refused: PasskeyChallenge | undefined }> {
    const [used] = await this.sql<ChallengeRow[]>`
      update passkey_challenges set used_at = ${at}
      where challenge = ${challenge} and used_at is null and expires_at > ${at}
      returning *`;
    if (used) return { consumed: challengeOf(used) };
    const [row] = await this.sql<ChallengeRow[]>`select * from passkey_challenges where challenge = ${challenge}`;
    return { refused: row ? challengeOf(row) : undefined };
  }

  async record(e: DecisionEvidenceRecord): Promise<void> {
    await this.sql`
      insert into consent_decision_evidence (transaction_id, consent_id, action, method, statement, assertion, leaf_index, log_entry, artefact_jws, at)
      values (${e.transactionId}, ${e.consentId}, ${e.action}, ${e.method},
              ${e.statement === undefined ? null : this.sql.json(e.statement as never)},
              ${e.assertion === undefined ? null : this.sql.json(e.assertion as never)},
              ${e.leafIndex ?? null}, ${e.logEntry === undefined ? null : this.sql.json(e.logEntry as never)}, ${e.artefactJws ?? null}, ${e.at})
      on conflict (transaction_id) do nothing`;
  }

  async decisions(consentIds: string[]): Promise<StoredDecision[]> {
    if (consentIds.length === 0) return [];
    const rows = await this.sql<DecisionRow[]>`
      select * from consent_decision_evidence where consent_id = any(${consentIds}::uuid[]) order by at desc, transaction_id`;
    return rows.map(decisionOf);
  }

  async decision(consentId: string, transactionId?: string): Promise<StoredDecision | undefined> {
    const [row] = await this.sql<DecisionRow[]>`
      select * from consent_decision_evidence
      where consent_id = ${consentId} and method = 'passkey' ${transactionId ? this.sql`and transaction_id = ${transactionId}` : this.sql``}
      order by at desc limit 1`;
    return row ? decisionOf(row) : undefined;
  }

  async decisionByAssertion(consentId: string, assertion: AssertionIdentity): Promise<StoredDecision | undefined> {
    const exactly = {
      credentialId: assertion.credentialId,
      authenticatorData: assertion.authenticatorData,
      clientDataJSON: assertion.clientDataJSON,
      signature: assertion.signature,
    };
    const [row] = await this.sql<DecisionRow[]>`
      select * from consent_decision_evidence
      where consent_id = ${consentId} and method = 'passkey' and assertion @> ${this.sql.json(exactly)}
      order by at desc limit 1`;
    return row ? decisionOf(row) : undefined;
  }

  async recordEvent(event: Omit<PasskeyEvent, 'id' | 'at'>, at: Date): Promise<void> {
    await this.sql`
      insert into passkey_events (id, at, event, subject_id, credential_id, reason)
      values (${newId(at.getTime())}, ${at}, ${event.event}, ${event.subjectId}, ${event.credentialId}, ${event.reason?.slice(0, 500) ?? null})`;
  }

  async events(limit: number, cursor?: string): Promise<{ items: PasskeyEvent[]; nextCursor: string }> {
    const after = decodeCursor(cursor, ['instant', 'uuid'] as const);
    const rows = await this.sql<{ id: string; at: Date; event: PasskeyEventKind; subject_id: string; credential_id: string | null; reason: string | null }[]>`
      select * from passkey_events
      ${after ? this.sql`where (at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : this.sql``}
      order by at desc, id desc limit ${limit + 1}`;
    const result = page(rows, limit, (r) => [r.at.toISOString(), r.id]);
    return {
      items: result.items.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        event: r.event,
        subjectId: r.subject_id,
        credentialId: r.credential_id,
        reason: r.reason,
      })),
      nextCursor: result.nextCursor,
    };
  }
}
