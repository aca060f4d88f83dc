import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/infra/clock.js';
import { PgBrowserSessions } from '../../src/sign-in/browser-session-store.js';
import { usePostgres } from '../postgres.js';

/** The portal's sessions on Postgres alone, on a clock the test moves: idle expiry that slides with use, an absolute end, sign-out. */
describe('browser sessions (Postgres)', () => {
  const db = usePostgres();
  const kek = randomBytes(32);
  const clock = (start: Date): Clock & { advance(minutes: number): void } => {
    let now = start.getTime();
    return { now: () => new Date(now), advance: (minutes) => (now += minutes * 60_000) };
  };
  const citizen = { role: 'citizen' as const, nationalId: '000000000101', subject: 'citizen:abc' };

  it('keeps only the hash of the cookie and seals the principal: the table holds no national id', async () => {
    const sessions = new PgBrowserSessions(db.sql, kek, { idleMinutes: 30, maxHours: 12 }, clock(new Date()));
    const { id } = await sessions.create(citizen, {});
    const rows = await db.sql`select * from sessions where subject = ${citizen.subject}`;
    const dump = JSON.stringify(
      rows.map((r) => ({
        ...r,
        sealed_principal: Buffer.from(r.sealed_principal as Buffer).toString('latin1'),
        id_hash: Buffer.from(r.id_hash as Buffer).toString('latin1'),
      })),
    );
    expect(dump).not.toContain('000000000101');
    expect(dump).not.toContain(id);
    expect((await sessions.resolve(id))?.principal).toEqual(citizen);
  });

  it('ends a session left idle, and moves the idle end on while it is used', async () => {
    const time = clock(new Date('2026-12-02T08:00:00Z'));
    const sessions = new PgBrowserSessions(db.sql, kek, { idleMinutes: 30, maxHours: 12 }, time);
    const { id } = await sessions.create(citizen, {});
    for (let i = 0; i < 5; i++) {
      time.advance(20); // used every 20 minutes: never idle for 30
      expect(await sessions.resolve(id)).toBeDefined();
    }
    time.advance(31);
    expect(await sessions.resolve(id)).toBeUndefined();
    expect(await sessions.resolve(id)).toBeUndefined(); // and it stays ended
  });

  it('ends every session at its absolute limit, however busy', async () => {
    const time = clock(new Date('2026-12-02T08:00:00Z'));
    const sessions = new PgBrowserSessions(db.sql, kek, { idleMinutes: 30, maxHours: 1 }, time);
    const { id } = await sessions.create(citizen, {});
    for (let i = 0; i < 5; i++) {
      time.advance(10);
      expect(await sessions.resolve(id)).toBeDefined();
    }
    time.advance(11);
    expect(await sessions.resolve(id)).toBeUndefined();
  });

  it('signs out for good, and sweeps away sessions that ended unused', async () => {
    const time = clock(new Date('2026-12-02T08:00:00Z'));
    const sessions = new PgBrowserSessions(db.sql, kek, { idleMinutes: 30, maxHours: 12 }, time);
    const a = await sessions.create(citizen, {});
    const b = await sessions.create({ role: 'auditor', subject: 'staff:auditor' }, {});
    expect(await sessions.end(a.id)).toBe(true);
    expect(await sessions.resolve(a.id)).toBeUndefined();
    time.advance(31);
    expect(await sessions.sweep()).toBeGreaterThanOrEqual(1);
    expect(await sessions.resolve(b.id)).toBeUndefined();
  });

  it('treats a session sealed under another key-encryption key as ended, not as an error', async () => {
    const sessions = new PgBrowserSessions(db.sql, kek, { idleMinutes: 30, maxHours: 12 }, clock(new Date()));
    const { id } = await sessions.create(citizen, {});
    const otherKey = new PgBrowserSessions(db.sql, randomBytes(32), { idleMinutes: 30, maxHours: 12 }, clock(new Date()));
    expect(await otherKey.resolve(id)).toBeUndefined();
  });
});
