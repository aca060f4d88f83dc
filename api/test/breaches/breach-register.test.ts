import { randomUUID } from 'node:crypto';
import { BreachRecordInput, canonicalJson } from '@citizen-vault/chaincode/rules';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgAccessLog, type PgAccessLog } from '../../src/audit/index.js';
import { createBreaches, type BreachService } from '../../src/breaches/index.js';
import { createWebhooks, pgWebhookStore, type Webhooks } from '../../src/webhooks/index.js';
import { usePostgres } from '../postgres.js';
import { TestClock } from '../support/fixtures.js';
import { addConsent, addOrganization, addSubject } from './seed.js';

/** A ledger that checks each record against the chaincode's schema, keeps it, and can be down. */
class RecordingLedger {
  down = false;
  readonly records: Record<string, unknown>[] = [];
  async submit(contract: string, fn: string, json: string): Promise<Uint8Array> {
    if (this.down) throw new Error('ledger unavailable (test)');
    expect(`${contract}.${fn}`).toBe('breaches.RecordBreach');
    const record = BreachRecordInput.parse(JSON.parse(json));
    this.records.push(record);
    return Buffer.from(canonicalJson({ ...record, txId: `tx-${this.records.length}` }));
  }
}

const H = 3_600_000;
const T0 = new Date('2026-11-20T00:00:00.000Z');
const T1 = new Date('2026-11-25T00:00:00.000Z');

describe('breach register over the real access log (Postgres)', () => {
  const pg = usePostgres();
  const clock = new TestClock(new Date('2026-11-26T09:00:00.000Z'));
  const ledger = new RecordingLedger();
  let log: PgAccessLog;
  let webhooks: Webhooks;
  let breaches: ReturnType<typeof createBreaches>;
  let service: BreachService;
  const subjectsByNationalId = new Map<string, string>();
  const org: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  const s: Record<string, string> = {};

  const read = async (subject: string, consumer: string, fields: string[], at: Date, outcome: 'GRANTED' | 'DENIED' = 'GRANTED') => {
    const consentId = await addConsent(pg.sql, subject, consumer);
    await log.recordAccess({ id: randomUUID(), consentId, subjectId: subject, consumerOrgId: consumer, purpose: 'credit_scoring', fields, outcome, at });
  };
  const affected = async (breachId: string) =>
    (await pg.sql<{ subject_id: string }[]>`select subject_id from breach_subjects where breach_id = ${breachId} order by subject_id`).map((r) => r.subject_id);
  const deliveries = async (orgId: string) =>
    pg.sql<{ event_type: string; payload: { data: Record<string, unknown> } }[]>`
      select d.event_type, d.payload from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where e.organization_id = ${orgId} order by d.created_at`;

  beforeAll(async () => {
    log = pgAccessLog(pg.sql);
    webhooks = createWebhooks({
      store: pgWebhookStore(pg.sql),
      options: { kek: new Uint8Array(32).fill(7), allowLoopbackHttp: true, retryBaseMs: 1_000, maxAttempts: 3, log: () => {} },
    });
    breaches = createBreaches({
      sql: pg.sql,
      ledger,
      webhooks: webhooks.service,
      subjects: { subjectId: async (nid) => subjectsByNationalId.get(nid) },
      clock,
      newId: randomUUID,
      log: () => {},
    });
    service = breaches.service;
    org.a = await addOrganization(pg.sql, 'Ngân hàng A');
    org.b = await addOrganization(pg.sql, 'Công ty B');
    org.c = await addOrganization(pg.sql, 'Bảo hiểm C');
    await webhooks.service.register(org.a, 'http://127.0.0.1:9/hooks');
    await webhooks.service.register(org.c, 'http://127.0.0.1:9/hooks');
    for (const name of ['inside', 'twoConsumers', 'before', 'atEnd', 'atStart', 'otherField', 'otherConsumer', 'denied', 'untouched'])
      s[name] = await addSubject(pg.sql);
    subjectsByNationalId.set('001099012345', s.twoConsumers!);
    subjectsByNationalId.set('079188004321', s.otherConsumer!);

    await read(s.inside!, org.a, ['residence.province', 'identity.dateOfBirth'], new Date('2026-11-22T10:00:00Z'));
    await read(s.twoConsumers!, org.b, ['identity.fullName', 'health.bloodType'], new Date('2026-11-21T10:00:00Z'));
    await read(s.twoConsumers!, org.a, ['identity.fullName'], new Date('2026-11-23T10:00:00Z'));
    await read(s.before!, org.a, ['residence.province'], new Date(T0.getTime() - 1));
    await read(s.atEnd!, org.a, ['residence.province'], T1); // the window is [from, to): this read is outside
    await read(s.atStart!, org.a, ['residence.province'], T0);
    await read(s.otherField!, org.a, ['identity.dateOfBirth'], new Date('2026-11-22T10:00:00Z'));
    await read(s.otherConsumer!, org.c, ['residence.province', 'identity.fullName'], new Date('2026-11-22T10:00:00Z'));
    await read(s.denied!, org.b, ['residence.province'], new Date('2026-11-22T10:00:00Z'), 'DENIED');
  });

  let breachId = '';

  it('computes exactly the citizens whose data those consumers read, of those fields, inside the window', async () => {
    const recorded = await service.record({
      summary: 'Khoá API của đối tác bị lộ',
      detectedAt: new Date('2026-11-25T12:00:00Z'),
      dataCategories: ['identity', 'residence'],
      consumerOrgIds: [org.a, org.b],
      fields: ['residence.province', 'identity.fullName'],
      window: { from: T0, to: T1 },
    });
    breachId = recorded.breach.id;
    expect(await affected(breachId)).toEqual([s.inside!, s.twoConsumers!, s.atStart!].sort());
    expect(recorded.breach).toMatchObject({ affectedSubjects: 3, affectedReads: 4, state: 'OPEN', version: 1 });
    const [two] = await pg.sql<{ fields: string[]; consumer_org_ids: string[]; reads: number }[]>`
      select fields, consumer_org_ids, reads from breach_subjects where breach_id = ${breachId} and subject_id = ${s.twoConsumers!}`;
    expect(two).toEqual({ fields: ['identity.fullName'], consumer_org_ids: [org.a, org.b].sort(), reads: 2 });
  });

  it('tells each affected citizen what of theirs was involved, and no one else', async () => {
    const { notices, names } = await service.noticesFor('001099012345');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ fields: ['identity.fullName'], reads: 2, breach: { id: breachId } });
    expect(notices[0]!.consumerOrgIds.map((id) => names.get(id)).sort()).toEqual(['Công ty B', 'Ngân hàng A']);
    expect((await service.noticesFor('079188004321')).notices).toEqual([]); // read by a consumer outside the breach
    expect((await service.noticesFor('999999999999')).notices).toEqual([]); // not a citizen of the vault
  });

  it('queues a breach.recorded webhook event for each organisation concerned that has an endpoint, and none for others', async () => {
    const toA = await deliveries(org.a);
    expect(toA.map((d) => d.event_type)).toEqual(['breach.recorded']);
    expect(toA[0]!.payload.data).toMatchObject({
      breachId,
      version: 1,
      concernsYou: true,
      affectedSubjectsThroughYou: 3,
      fields: ['residence.province', 'identity.fullName'],
    });
    expect(await deliveries(org.c)).toEqual([]);
    const notices = await pg.sql`select organization_id, queued_at from breach_org_notices where breach_id = ${breachId} order by organization_id`;
    expect(notices.map((n) => n.organization_id)).toEqual([org.a, org.b].sort());
    expect(notices.every((n) => n.queued_at !== null)).toBe(true); // B has no endpoint: nothing to send, nothing pending
  });

  it('anchors the version on the ledger with hashes and counts only', async () => {
    const [v] = await pg.sql<{ recorded_tx_id: string; ledger_record: Record<string, unknown> }[]>`
      select recorded_tx_id, ledger_record from breach_versions where breach_id = ${breachId}`;
    expect(v!.recorded_tx_id).toMatch(/^tx-/);
    expect(ledger.records.at(-1)).toEqual(v!.ledger_record);
    expect(v!.ledger_record).toMatchObject({ breachId, version: 1, action: 'record', affectedSubjects: 3, notifyDueAt: '2026-11-28T12:00:00.000Z' });
    const text = JSON.stringify(v!.ledger_record);
    for (const subject of Object.values(s)) expect(text).not.toContain(subject);
    expect(text).not.toContain('API'); // no free text
  });

  it('recomputes the citizens when the scope narrows: those no longer involved lose their notice, the others keep when they were told', async () => {
    const [before] = await pg.sql<
      { notified_at: Date }[]
    >`select notified_at from breach_subjects where breach_id = ${breachId} and subject_id = ${s.twoConsumers!}`;
    clock.advance(H);
    const updated = await service.update(breachId, { consumerOrgIds: [org.b] });
    expect(await affected(breachId)).toEqual([s.twoConsumers!]);
    expect(updated.breach).toMatchObject({ affectedSubjects: 1, affectedReads: 1, version: 2 });
    const [after] = await pg.sql<{ notified_at: Date; reads: number }[]>`
      select notified_at, reads from breach_subjects where breach_id = ${breachId} and subject_id = ${s.twoConsumers!}`;
    expect(after).toEqual({ notified_at: before!.notified_at, reads: 1 });
    // A, dropped from the breach, hears of it once more (concernsYou: false), so it stops acting on it.
    expect((await deliveries(org.a)).map((d) => [d.event_type, d.payload.data.concernsYou])).toEqual([
      ['breach.recorded', true],
      ['breach.updated', false],
    ]);
  });

  it('runs the 72-hour clock from detection: on time, due soon, overdue; stopped by the notification, late with its reason', async () => {
    const detectedAt = new Date('2026-11-26T00:00:00Z');
    clock.set(new Date(detectedAt.getTime() + 2 * H));
    const b = await service.record({
      summary: 'Clock',
      detectedAt,
      dataCategories: ['residence'],
      consumerOrgIds: [org.c],
      fields: ['residence.province'],
      window: { from: T0, to: T1 },
    });
    expect(b.clock).toMatchObject({ status: 'ON_TIME', dueAt: new Date('2026-11-29T00:00:00Z'), minutesLeft: 70 * 60 });
    clock.set(new Date(detectedAt.getTime() + 49 * H));
    expect((await service.get(b.breach.id)).clock).toMatchObject({ status: 'DUE_SOON', minutesLeft: 23 * 60 });
    clock.set(new Date(detectedAt.getTime() + 73 * H));
    expect((await service.get(b.breach.id)).clock).toMatchObject({ status: 'OVERDUE', minutesLeft: -60 });
    expect((await service.list()).find((x) => x.breach.id === b.breach.id)!.clock.status).toBe('OVERDUE');

    const notifiedLate = new Date(detectedAt.getTime() + 72 * H + 30 * 60_000);
    await expect(service.close(b.breach.id, { authorityNotifiedAt: notifiedLate, measures: 'Keys rotated' })).rejects.toMatchObject({
      code: 'invalid_request',
      detail: expect.stringContaining('lateReason'),
    });
    const closed = await service.close(b.breach.id, { authorityNotifiedAt: notifiedLate, measures: 'Keys rotated', lateReason: 'Weekend' });
    expect(closed.breach.state).toBe('CLOSED');
    expect(closed.clock).toMatchObject({ status: 'NOTIFIED_LATE', minutesLeft: null });
    await expect(service.update(b.breach.id, { summary: 'again' })).rejects.toMatchObject({ code: 'illegal_transition' });
  });

  it('refuses a scope that cannot be: fields outside the categories, an empty window, unknown organisations, a future detection', async () => {
    const base = {
      summary: 'x',
      detectedAt: clock.now(),
      dataCategories: ['residence'],
      consumerOrgIds: [org.a],
      fields: ['residence.province'],
      window: { from: T0, to: T1 },
    };
    await expect(service.record({ ...base, fields: ['identity.fullName'] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(service.record({ ...base, window: { from: T1, to: T0 } })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(service.record({ ...base, consumerOrgIds: [randomUUID()] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(service.record({ ...base, detectedAt: new Date(clock.now().getTime() + H) })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('keeps a version written while the ledger is down, and a fresh outbox (after a crash) puts it on the ledger in order', async () => {
    ledger.down = true;
    const b = await service.record({
      summary: 'Outage',
      detectedAt: clock.now(),
      dataCategories: ['residence'],
      consumerOrgIds: [org.a],
      fields: ['residence.province'],
      window: { from: T0, to: T1 },
    });
    await service.update(b.breach.id, { measures: 'Partner key revoked' });
    const pending = await pg.sql`select version from breach_versions where breach_id = ${b.breach.id} and recorded_tx_id is null order by version`;
    expect(pending.map((p) => p.version)).toEqual([1, 2]);
    ledger.down = false;
    // A new process: a new outbox over the same Postgres.
    const restarted = createBreaches({
      sql: pg.sql,
      ledger,
      webhooks: webhooks.service,
      subjects: { subjectId: async () => undefined },
      clock,
      newId: randomUUID,
      log: () => {},
    });
    expect((await restarted.outbox.flush()).recorded).toBe(2);
    expect(ledger.records.slice(-2).map((r) => [r.breachId, r.version, r.action])).toEqual([
      [b.breach.id, 1, 'record'],
      [b.breach.id, 2, 'update'],
    ]);
    expect((await service.get(b.breach.id)).versions.every((v) => v.ledgerTransactionId)).toBe(true);
  });

  it('keeps an organisation notice the webhooks outbox could not take, and a fresh outbox queues it later', async () => {
    let failing = true;
    const flaky = {
      notify: async (org: string, type: string, data: Record<string, unknown>) =>
        failing ? Promise.reject(new Error('webhooks store down (test)')) : webhooks.service.notify(org, type, data),
    };
    const crashed = createBreaches({
      sql: pg.sql,
      ledger,
      webhooks: flaky,
      subjects: { subjectId: async () => undefined },
      clock,
      newId: randomUUID,
      log: () => {},
    });
    const before = (await deliveries(org.a)).length;
    const b = await crashed.service.record({
      summary: 'Webhooks outage',
      detectedAt: clock.now(),
      dataCategories: ['residence'],
      consumerOrgIds: [org.a],
      fields: ['residence.province'],
      window: { from: T0, to: T1 },
    });
    const [pending] = await pg.sql<{ queued_at: Date | null; attempts: number; last_error: string }[]>`
      select queued_at, attempts, last_error from breach_org_notices where breach_id = ${b.breach.id}`;
    expect(pending).toMatchObject({ queued_at: null, attempts: 1, last_error: 'webhooks store down (test)' });
    expect(await deliveries(org.a)).toHaveLength(before);
    failing = false;
    expect((await breaches.outbox.flush()).queued).toBe(1);
    const after = await deliveries(org.a);
    expect(after.at(-1)).toMatchObject({ event_type: 'breach.recorded', payload: { data: { breachId: b.breach.id, version: 1 } } });
  });

  it("produces the authority's form: the counts, the organisations, and the canonical record whose hash the ledger holds", async () => {
    const form = await service.authorityForm(breachId);
    expect(form.breach).toMatchObject({
      affectedSubjects: 1,
      sensitiveDataInvolved: false,
      consumers: [{ id: org.b, name: 'Công ty B', affectedSubjects: 1 }],
    });
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(form.evidence!.canonicalRecord).digest('hex')).toBe(form.evidence!.recordHash);
    const onLedger = ledger.records.find((r) => r.breachId === breachId && r.version === form.evidence!.version);
    expect(onLedger!.recordHash).toBe(form.evidence!.recordHash);
  });

  it('computes the affected citizens of 200,000 access events in one statement (timing printed)', async () => {
    const orgs = [await addOrganization(pg.sql, 'Bench 1'), await addOrganization(pg.sql, 'Bench 2'), await addOrganization(pg.sql, 'Bench 3')];
    const consents = await Promise.all(orgs.map(async (o) => addConsent(pg.sql, await addSubject(pg.sql), o)));
    const N = 200_000;
    const SUBJECTS = 20_000;
    await pg.sql`
      insert into subjects (id, national_id_index)
      select ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, sha256(('bench' || i)::text::bytea) from generate_series(1, ${SUBJECTS}) i`;
    const fields = ['residence.province', 'identity.fullName', 'identity.dateOfBirth', 'residence.ward'];
    // Each event's consumer, field, day and outcome come from a multiplicative hash of its number,
    // computed the same way here and in SQL, so the expected set is worked out apart from the statement.
    const KNUTH = 2654435761;
    const event = (i: number) => {
      const h = Math.imul(i, KNUTH | 0) >>> 0;
      return {
        subject: 1 + ((i * 7919) % SUBJECTS),
        org: h % 3,
        field: Math.floor(h / 256) % 4,
        at: Date.parse('2026-08-01T00:00:00Z') + (Math.floor(h / 65_536) % 100) * 86_400_000 + (i % 86_400) * 1_000,
        denied: Math.floor(h / 16) % 17 === 0,
      };
    };
    // Seeding 200,000 rows takes longer than the API's statement timeout on a busy machine.
    await pg.sql.begin(async (tx) => {
      await tx`set local statement_timeout = 0`;
      await tx`
        insert into access_events (id, consent_id, subject_id, consumer_org_id, purpose, fields, outcome, at)
        select gen_random_uuid(), (${consents}::uuid[])[1 + h % 3],
               ('00000000-0000-4000-8000-' || lpad(to_hex(1 + (i * 7919) % ${SUBJECTS}), 12, '0'))::uuid,
               (${orgs}::uuid[])[1 + h % 3], 'credit_scoring',
               array[(${fields}::text[])[1 + (h / 256) % 4]],
               case when (h / 16) % 17 = 0 then 'DENIED' else 'GRANTED' end,
               timestamptz '2026-08-01' + ((h / 65536) % 100) * interval '1 day' + (i % 86400) * interval '1 second'
        from (select i, (i::bigint * ${KNUTH}) % 4294967296 as h from generate_series(1, ${N}) i) g`;
    });
    await pg.sql`analyze access_events`;
    const from = new Date('2026-09-01T00:00:00Z');
    const to = new Date('2026-10-01T00:00:00Z');
    const affectedThrough = (consumers: number[]): Set<number> => {
      const set = new Set<number>();
      for (let i = 1; i <= N; i++) {
        const e = event(i);
        if (!e.denied && consumers.includes(e.org) && e.at >= from.getTime() && e.at < to.getTime() && e.field <= 1) set.add(e.subject);
      }
      return set;
    };
    const expected = affectedThrough([0, 1]);
    clock.set(new Date('2026-10-02T00:00:00Z'));
    const started = performance.now();
    const b = await service.record({
      summary: 'Bench',
      detectedAt: clock.now(),
      dataCategories: ['identity', 'residence'],
      consumerOrgIds: [orgs[0]!, orgs[1]!],
      fields: ['residence.province', 'identity.fullName'],
      window: { from, to },
    });
    const ms = performance.now() - started;
    console.log(`breach over ${N} access events: ${b.breach.affectedSubjects} of ${SUBJECTS} citizens affected, recorded in ${ms.toFixed(0)} ms`);
    expect(b.breach.affectedSubjects).toBe(expected.size);
    const got = (await affected(b.breach.id)).map((id) => parseInt(id.slice(-12), 16));
    expect(got.sort((x, y) => x - y)).toEqual([...expected].sort((x, y) => x - y));
    expect(expected.size).toBeGreaterThan(1_000);
    // A change of scope recomputes over the kept rows: those no longer affected go, the others stay.
    const again = performance.now();
    const narrowed = await service.update(b.breach.id, { consumerOrgIds: [orgs[0]!] });
    const msUpdate = performance.now() - again;
    const onlyFirst = affectedThrough([0]);
    console.log(`narrowed to one consumer: ${narrowed.breach.affectedSubjects} citizens, recomputed in ${msUpdate.toFixed(0)} ms`);
    expect(narrowed.breach.affectedSubjects).toBe(onlyFirst.size);
    expect(onlyFirst.size).toBeLessThan(expected.size);
    const kept = (await affected(b.breach.id)).map((id) => parseInt(id.slice(-12), 16));
    expect(kept.sort((x, y) => x - y)).toEqual([...onlyFirst].sort((x, y) => x - y));
  }, 120_000);
});
