import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activeOrganizations, pgOrganizationStore } from '../../src/organizations/index.js';
import { connectDatabase } from '../../src/infra/database.js';
import { usePostgres } from '../postgres.js';

/** Real Postgres: the organisations cache is dropped by Postgres's own announcements, whoever writes. */
describe('the organisations that may act now, cached and dropped on every announced change', () => {
  const db = usePostgres();

  const organization = async (status = 'VERIFIED') => {
    const id = randomUUID();
    await db.sql`insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
                 values (${id}, 'Ngân hàng', ${id}, 'Org1MSP', ${['consumer']}, ${db.sql.json({ keys: [] })}, ${status})`;
    return id;
  };
  const until = async (what: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 50 && !(await what()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await what()).toBe(true);
  };

  it('answers from memory once loaded, and a suspension written by anyone (here another connection) takes effect at once', async () => {
    const store = pgOrganizationStore(db.sql);
    let loads = 0;
    const active = activeOrganizations(db.sql, { get: async (id) => (loads++, store.get(id)) });
    await active.start();
    try {
      const id = await organization();
      expect((await active.get(id))?.id).toBe(id);
      // The insert is announced too; once it has landed, the organisation is answered from memory.
      await until(async () => {
        const before = loads;
        await active.get(id);
        return loads === before;
      });
      const settled = loads;
      for (let i = 0; i < 5; i++) expect((await active.get(id))?.id).toBe(id);
      expect(loads).toBe(settled);

      const other = connectDatabase(db.url);
      try {
        await other`update organizations set status = 'SUSPENDED' where id = ${id}`;
      } finally {
        await other.end();
      }
      await until(async () => (await active.get(id)) === undefined);
      expect(loads).toBeGreaterThan(settled);
      // A suspended organisation is cached too, as suspended, until the next change.
      const suspendedLoads = loads;
      for (let i = 0; i < 5; i++) expect(await active.get(id)).toBeUndefined();
      expect(loads).toBe(suspendedLoads);
      await db.sql`update organizations set status = 'VERIFIED' where id = ${id}`;
      await until(async () => (await active.get(id))?.id === id);
    } finally {
      await active.stop();
    }
  });

  it('keeps nothing a change may have overtaken: a load that an announcement overlapped is asked again next time', async () => {
    const id = await organization();
    const store = pgOrganizationStore(db.sql);
    let release: () => void = () => {};
    let loads = 0;
    let hold = true;
    const active = activeOrganizations(db.sql, {
      get: async (key) => {
        loads++;
        const row = await store.get(key);
        if (hold) await new Promise<void>((r) => (release = r));
        return row;
      },
    });
    await active.start();
    try {
      const slow = active.get(id); // reads VERIFIED, then waits
      await new Promise((r) => setTimeout(r, 50));
      await db.sql`update organizations set status = 'SUSPENDED' where id = ${id}`;
      await new Promise((r) => setTimeout(r, 300)); // the announcement arrives while the load is held
      hold = false;
      release();
      expect((await slow)?.id).toBe(id); // answered as it was read…
      expect(await active.get(id)).toBeUndefined(); // …but not kept: the next request sees the suspension
      expect(loads).toBe(2);
    } finally {
      await active.stop();
    }
  });

  it('serves nothing from memory before it listens', async () => {
    const id = await organization();
    let loads = 0;
    const store = pgOrganizationStore(db.sql);
    const active = activeOrganizations(db.sql, { get: async (key) => (loads++, store.get(key)) });
    await active.get(id);
    await active.get(id);
    expect(loads).toBe(2);
  });
});
