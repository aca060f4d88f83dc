import { createHash, randomBytes } from 'node:crypto';
import type { BrowserSession, BrowserSessions, Principal } from '../auth/index.js';
import type { Clock } from '../infra/clock.js';
import { open, seal } from '../infra/aead.js';
import type { Sql } from '../infra/database.js';

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

export interface NewSession {
  /** The cookie's value: shown once, stored only as its hash. */
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * The portal's sessions, in Postgres so that every API instance knows them and a restart signs no
 * one out. A session ends when it is idle for `idleMinutes` (each use moves that on, at most once a
 * minute) or `maxHours` after sign-in, whichever comes first, or when its owner signs out.
 */
export class PgBrowserSessions implements BrowserSessions {
  constructor(
    private readonly sql: Sql,
    private readonly kek: Uint8Array,
    private readonly limits: SessionLimits,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, details: { acr?: string; refreshToken?: string }): Promise<NewSession> {
    const id = randomBytes(32).toString('base64url');
    const idHash = hashOf(id);
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.limits.maxHours * 3_600_000);
    const idleExpiresAt = new Date(Math.min(expiresAt.getTime(), now.getTime() + this.limits.idleMinutes * 60_000));
    const { organization: _loadedPerRequest, ...stored } = principal;
    await this.sql`
      insert into sessions (id_hash, role, subject, sealed_principal, csrf_token, sealed_refresh_token, acr, created_at, refreshed_at, idle_expires_at, expires_at)
      values (${idHash}, ${principal.role}, ${principal.subject}, ${seal(this.kek, Buffer.from(JSON.stringify(stored)), binding(idHash))}, ${csrfToken},
        ${details.refreshToken ? seal(this.kek, Buffer.from(details.refreshToken), binding(idHash) + '|refresh') : null}, ${details.acr ?? null},
        ${now}, ${now}, ${idleExpiresAt}, ${expiresAt})`;
    return { id, csrfToken, expiresAt: idleExpiresAt };
  }

  async resolve(sessionId: string): Promise<BrowserSession | undefined> {
    const idHash = hashOf(sessionId);
    const now = this.clock.now();
    const [row] = await this.sql<{ sealed_principal: Buffer; csrf_token: string; idle_expires_at: Date; expires_at: Date }[]>`
      select sealed_principal, csrf_token, idle_expires_at, expires_at from sessions where id_hash = ${idHash}`;
    if (!row) return undefined;
    if (row.idle_expires_at <= now || row.expires_at <= now) {
      await this.sql`delete from sessions where id_hash = ${idHash}`;
      return undefined;
    }
    const nextIdle = new Date(Math.min(row.expires_at.getTime(), now.getTime() + this.limits.idleMinutes * 60_000));
    let idleExpiresAt = row.idle_expires_at;
    if (nextIdle.getTime() - row.idle_expires_at.getTime() > 60_000) {
      await this.sql`update sessions set idle_expires_at = ${nextIdle} where id_hash = ${idHash}`;
      idleExpiresAt = nextIdle;
    }
    let principal: Principal;
    try {
      principal = JSON.parse(Buffer.from(open(this.kek, row.sealed_principal, binding(idHash))).toString()) as Principal;
    } catch {
      return undefined; // sealed under a key this API no longer has (the KEK was rotated): sign in again
    }
    return { principal, csrfToken: row.csrf_token, idleExpiresAt, expiresAt: row.expires_at };
  }

  async end(sessionId: string): Promise<boolean> {
    const deleted = await this.sql`delete from sessions where id_hash = ${hashOf(sessionId)}`;
    return deleted.count > 0;
  }

  /** Forgets sessions that ended unused; run now and then. */
  async sweep(): Promise<number> {
    return (await this.sql`delete from sessions where expires_at <= ${this.clock.now()} or idle_expires_at <= ${this.clock.now()}`).count;
  }
}

function hashOf(sessionId: string): Buffer {
  return createHash('sha256').update(sessionId).digest();
}

function binding(idHash: Buffer): string {
  return `cv:session:v1|${idHash.toString('hex')}`;
}
