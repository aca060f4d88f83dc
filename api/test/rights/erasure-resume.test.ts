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
 * An erasure that dies part-way (here: the key destruction fails once, as a crash there would leave
 * it) is never left half-applied: the steps already done are recorded, the request stays open, and
 * the rights worker's sweep carries on from where it stopped and completes the request.
 */
describe('an erasure interrupted part-way is finished by the sweep', () => {
  const db = usePostgres();

  it('records the steps done, keeps the request open, then the sweep destroys the key, certifies and completes', async () => {
    const sql = db.sql;
    const subjectId = randomUUID();
    await sql`insert into subjects (id, national_id_index, wrapped_key) values (${subjectId}, ${randomBytes(32)}, ${randomBytes(72)})`;
    await sql`insert into statistics_profiles (subject_id, province, birth_year) values (${subjectId}, 'Hà Nội', 1990)`;
    const onLedger: { fn: string; record: Record<string, unknown> }[] = [];
    const revoked: string[] = [];
    const real = pgSubjectShredder(sql);
    let crash = true;
    const { privateKey } = await generateKeyPair('ES256');
    const { service, worker } = createRights({
      sql,
      ledger: {
        async submit(_contract, fn, json) {
          onLedger.push({ fn, record: JSON.parse(json!) as Record<string, unknown> });
          return Buffer.from(JSON.stringify({ txId: 'ab'.repeat(32) }));
        },
      },
      subjects: { subjectId: async () => subjectId },
      clock: systemClock,
      newId: () => newId(Date.now()),
      recorderIntervalMs: 100,
      log: () => {},
      consents: {
        async revokeAllOf() {
          revoked.push('called');
          return [];
        },
      },
      shredder: {
        async shred(id) {
          if (crash) {
            crash = false;
            throw new Error('the process died here');
          }
          return real.shred(id);
        },
        state: (id) => real.state(id),
      },
      statistics: pgStatisticsExclusion(sql),
      keys: { signing: { kid: 'test', privateKey }, kek: randomBytes(32), indexKey: randomBytes(32) },
    });
    const filed = await service.file('001099066001', { kind: 'ERASE' }, 'citizen:test-subject');
    await service.act(filed.request.id, { type: 'acknowledge' });
    await service.act(filed.request.id, { type: 'start' });

    await expect(service.act(filed.request.id, { type: 'complete' })).rejects.toThrow('the process died here');
    const [half] = await sql<{ steps: string[]; finished_at: Date | null }[]>`select steps, finished_at from erasures where request_id = ${filed.request.id}`;
    expect(half).toMatchObject({ steps: ['consents_revoked', 'copies_deleted'], finished_at: null });
    expect((await service.get(filed.request.id)).request.state).toBe('IN_PROGRESS');
    expect((await sql`select 1 from subjects where id = ${subjectId} and wrapped_key is not null`).length).toBe(1);

    worker.start();
    try {
      for (let i = 0; i < 100 && (await service.get(filed.request.id)).request.state !== 'COMPLETED'; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await worker.stop();
    }
    expect((await service.get(filed.request.id)).request.state).toBe('COMPLETED');
    const [done] = await sql<{ steps: string[]; finished_at: Date | null; certificate_hash: string | null }[]>`
      select steps, finished_at, certificate_hash from erasures where request_id = ${filed.request.id}`;
    expect(done!.steps).toEqual(['consents_revoked', 'copies_deleted', 'keys_destroyed', 'storage_compacted', 'certified']);
    expect(done!.finished_at).not.toBeNull();
    expect(revoked).toEqual(['called']); // a step done before the crash is not done again
    const [subject] = await sql<{ wrapped_key: Buffer | null; erased_at: Date | null }[]>`select wrapped_key, erased_at from subjects where id = ${subjectId}`;
    expect(subject).toMatchObject({ wrapped_key: null });
    expect(subject!.erased_at).not.toBeNull();
    expect((await sql`select 1 from statistics_profiles where subject_id = ${subjectId}`).length).toBe(0);
    expect(
      (await sql<{ token_subject: string | null }[]>`select token_subject from erasure_claims where request_id = ${filed.request.id}`)[0]!.token_subject,
    ).toBeNull();
    const certified = onLedger.find((l) => l.fn === 'RecordSubjectControl' && l.record.type === 'ERASURE_CERTIFIED');
    expect(certified?.record).toMatchObject({ subjectId, requestId: filed.request.id, certificateHash: done!.certificate_hash });
  });
});
