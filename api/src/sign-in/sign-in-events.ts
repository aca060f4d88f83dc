import type { Clock } from '../infra/clock.js';
import { decodeCursor, page } from '../infra/cursor.js';
import type { Sql } from '../infra/database.js';
import { newId } from '../ids.js';

export type SignInEventKind = 'sign-in' | 'sign-in-refused' | 'sign-out';

export interface SignInEvent {
  id: string;
  at: string;
  event: SignInEventKind;
  role: string | null;
  subject: string | null;
  acr: string | null;
  reason: string | null;
}

/** The portal's sign-ins, refusals and sign-outs, kept for auditors; newest first, a page at a time. */
export class PgSignInEvents {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  async record(event: SignInEventKind, fields: { role?: string; subject?: string; acr?: string | null; reason?: string }): Promise<void> {
    const at = this.clock.now();
    await this.sql`
      insert into sign_in_events (id, at, event, role, subject, acr, reason)
      values (${newId(at.getTime())}, ${at}, ${event}, ${fields.role ?? null}, ${fields.subject ?? null}, ${fields.acr ?? null}, ${fields.reason?.slice(0, 500) ?? null})`;
  }

  async list(limit: number, cursor?: string): Promise<{ items: SignInEvent[]; nextCursor: string }> {
    const after = decodeCursor(cursor, ['instant', 'uuid'] as const);
    const rows = await this.sql<
      { id: string; at: Date; event: SignInEventKind; role: string | null; subject: string | null; acr: string | null; reason: string | null }[]
    >`
      select id, at, event, role, subject, acr, reason from sign_in_events
      ${after ? this.sql`where (at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : this.sql``}
      order by at desc, id desc limit ${limit + 1}`;
    const result = page(rows, limit, (r) => [r.at.toISOString(), r.id]);
    return { items: result.items.map((r) => ({ ...r, at: r.at.toISOString() })), nextCursor: result.nextCursor };
  }
}
