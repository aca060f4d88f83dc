import { randomBytes, randomUUID } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { pgStatisticsExclusion } from '../../src/exchange/index.js';
import { systemClock } from '../../src/infra/clock.js';
import { newId } from '../../src/ids.js';
import { createRights } from '../../src/rights/index.js';
import { pgSubjectShredder } from '../../src/vault/index.js';
import { usePostgres } from '../postgres.js';

/**
 * VACUUM FULL locks each table while it rewrites it — record_versions too, which every consented
 * read uses — so with an interval set, erasures share compactions: the first compacts, one shredded
 * after it waits (its request stays open, its key already destroyed) and the sweep compacts once
 * more for it and for every other erasure shredded before that run started.
 */
describe('erasures share storage compactions, at most one per interval', () => {
  const db = usePostgres();

  it('compacts for the first erasure, schedules the next ones, and covers them with one more compaction', async () => {
    const sql = db.sql;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await sql`insert into subjects (id, national_id_index, wrapped_key) values (${id}, ${randomBytes(32)}, ${randomBytes(72)})`;
    const byNationalId = new Map(ids.map((id, i) => [`00109906700${i}`, id]));
    const shredder = pgSubjectShredder(sql);
    const { privateKey } = await generateKeyPair('ES256');
    const { service, worker } = createRights({
      sql,
      ledger: { submit: async () => Buffer.from(JSON.stringify({ txId: 'cd'.repeat(32) })) },
      subjects: { subjectId: async (nationalId: string) => byNationalId.get(nationalId) },
      clock: systemClock,
      newId: () => newId(Date.now()),
      recorderIntervalMs: 100,
      log: () => {},
      consents: { revokeAllOf: async () => [] },
      shredder,
      statistics: pgStatisticsExclusion(sql),
      keys: { signing: { kid: 'test', privateKey }, kek: randomBytes(32), indexKey: randomBytes(32) },
      compactionEveryMs: 2_000,
    });
    const erase = async (nationalId: string) => {
      const filed = await service.file(nationalId, { kind: 'ERASE' }, `citizen:${nationalId}`);
      await service.act(filed.request.id, { type: 'acknowledge' });
      await service.act(filed.request.id, { type: 'start' });
      return filed.request.id;
    };
    const compactions = async () => (await sql`select 1 from storage_compactions`).length;

    const first = await erase('001099067000');
    expect((await service.act(first, { type: 'complete' })).request.state).toBe('COMPLETED');
    expect(await compactions()).toBe(1);

    const later = [await erase('001099067001'), await erase('001099067002')];
    for (const id of later) {
      await expect(service.act(id, { type: 'complete' })).rejects.toMatchObject({ code: 'erasure_compaction_scheduled' });
      expect((await service.get(id)).request.state).toBe('IN_PROGRESS');
    }
    // The keys are gone at once; only the compaction waits.
    for (const id of ids.slice(1)) expect(await shredder.state(id)).toBe('shredded');
    expect(await compactions()).toBe(1);

    worker.start();
    try {
      for (let i = 0; i < 100; i++) {
        const states = await Promise.all(later.map(async (id) => (await service.get(id)).request.state));
        if (states.every((s) => s === 'COMPLETED')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker.stop();
    }
    for (const id of later) expect((await service.get(id)).request.state).toBe('COMPLETED');
    expect(await compactions()).toBe(2);
    const certified = await sql<{ storage_compacted: boolean; steps: string[] }[]>`
      select storage_compacted, steps from erasures where request_id = any(${later}::uuid[])`;
    expect(certified).toHaveLength(2);
    for (const e of certified)
      expect(e).toMatchObject({ storage_compacted: true, steps: ['consents_revoked', 'copies_deleted', 'keys_destroyed', 'storage_compacted', 'certified'] });
  });
});
