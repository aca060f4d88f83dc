import { describe, expect, it } from 'vitest';
import { intentRow } from '../../src/consent/index.js';
import { consentRow, type FixtureFactory } from './fixture.js';

/** What every ConsentStore must do, Postgres or in memory. */
export function consentStoreContract(name: string, fixture: FixtureFactory): void {
  describe(`ConsentStore contract: ${name}`, () => {
    it("gives back an inserted consent with its consumer's name, nothing granted, undecided and unblocked", async () => {
      const f = fixture();
      const org = await f.organization('Ngân hàng A');
      const row = consentRow(await f.subject(), org);
      await f.consents.insert(row);
      const got = await f.consents.get(row.id);
      expect(got).toMatchObject({
        id: row.id,
        consumer_name: 'Ngân hàng A',
        purpose: row.purpose,
        requested_fields: row.requested_fields,
        granted_fields: [],
        decided_at: null,
        blocked_by: null,
        status: 'REQUESTED',
      });
      expect(got!.access_mode).toEqual(row.access_mode);
      expect(got!.requested_at.getTime()).toBe(row.requested_at.getTime());
      expect(await f.consents.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it('leaves a consent already inserted alone when the same id is inserted again', async () => {
      const f = fixture();
      const row = consentRow(await f.subject(), await f.organization('B'));
      await f.consents.insert(row);
      await f.consents.insert({ ...row, purpose: 'MARKETING' });
      expect((await f.consents.get(row.id))!.purpose).toBe(row.purpose);
    });

    it('finds a request by its Idempotency-Key: its intent before the ledger, its consent after, and the intent is gone once inserted', async () => {
      const f = fixture();
      const row = consentRow(await f.subject(), await f.organization('C'), { request_ref: `ref-${Math.random()}` });
      expect(await f.consents.byRequestRef(row.request_ref!)).toEqual({});
      await f.consents.insertIntent(row);
      const { intent } = await f.consents.byRequestRef(row.request_ref!);
      expect(intent).toBeDefined();
      expect(intentRow(intent!.consent, intent!.artefact_salt, 'REQUESTED')).toEqual(row);
      await f.consents.insert(row);
      const after = await f.consents.byRequestRef(row.request_ref!);
      expect(after.intent).toBeUndefined();
      expect(after.consent?.id).toBe(row.id);
    });

    it('drops an intent that never reached the ledger', async () => {
      const f = fixture();
      const row = consentRow(await f.subject(), await f.organization('D'), { request_ref: `ref-${Math.random()}` });
      await f.consents.insertIntent(row);
      await f.consents.dropIntent(row.id);
      expect(await f.consents.byRequestRef(row.request_ref!)).toEqual({});
    });

    it('applies a decision only forward in time, and lifts a pending block with it', async () => {
      const f = fixture();
      const row = consentRow(await f.subject(), await f.organization('E'));
      await f.consents.insert(row);
      await f.consents.applyDecision(row.id, {
        status: 'ACTIVE',
        grantedFields: ['identity.fullName'],
        decidedAt: '2026-01-02T00:00:00.000Z',
        updatedAt: '2026-01-02T00:00:00.000Z',
      });
      await f.consents.block(row.id, 'revoke');
      expect((await f.consents.get(row.id))!.blocked_by).toBe('revoke');
      // An older transaction arriving late changes nothing.
      await f.consents.applyDecision(row.id, {
        status: 'REJECTED',
        grantedFields: [],
        decidedAt: '2026-01-01T13:00:00.000Z',
        updatedAt: '2026-01-01T13:00:00.000Z',
      });
      let got = (await f.consents.get(row.id))!;
      expect(got).toMatchObject({ status: 'ACTIVE', granted_fields: ['identity.fullName'], blocked_by: 'revoke' });
      expect(got.decided_at?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
      await f.consents.applyDecision(row.id, {
        status: 'REVOKED',
        grantedFields: ['identity.fullName'],
        decidedAt: '2026-01-02T00:00:00.000Z',
        updatedAt: '2026-01-03T00:00:00.000Z',
      });
      got = (await f.consents.get(row.id))!;
      expect(got).toMatchObject({ status: 'REVOKED', blocked_by: null });
      expect(got.updated_at.toISOString()).toBe('2026-01-03T00:00:00.000Z');
    });

    it('lifts a block the ledger refused, leaving the consent as it was', async () => {
      const f = fixture();
      const row = consentRow(await f.subject(), await f.organization('F'), { status: 'ACTIVE' });
      await f.consents.insert(row);
      await f.consents.block(row.id, 'pause');
      expect((await f.consents.get(row.id))!.blocked_by).toBe('pause');
      await f.consents.unblock(row.id);
      expect(await f.consents.get(row.id)).toMatchObject({ blocked_by: null, status: 'ACTIVE' });
    });

    it("lists a consumer's consents newest first, by status, a page at a time after a (time, id) cursor", async () => {
      const f = fixture();
      const org = await f.organization('G');
      const other = await f.organization('H');
      const subject = await f.subject();
      const rows = [0, 1, 2, 3].map((i) =>
        consentRow(subject, org, { requested_at: new Date(Date.UTC(2026, 0, 1 + i)), status: i === 2 ? 'ACTIVE' : 'REQUESTED' }),
      );
      for (const r of rows) await f.consents.insert(r);
      await f.consents.insert(consentRow(subject, other));
      const page1 = await f.consents.forConsumer(org, { limit: 2 });
      expect(page1.map((r) => r.id)).toEqual([rows[3]!.id, rows[2]!.id]);
      const page2 = await f.consents.forConsumer(org, { limit: 2, after: { requestedAt: page1[1]!.requested_at, id: page1[1]!.id } });
      expect(page2.map((r) => r.id)).toEqual([rows[1]!.id, rows[0]!.id]);
      expect((await f.consents.forConsumer(org, { limit: 10, status: 'ACTIVE' })).map((r) => r.id)).toEqual([rows[2]!.id]);
    });

    it("lists a citizen's consents newest first, optionally by status", async () => {
      const f = fixture();
      const org = await f.organization('I');
      const subject = await f.subject();
      const older = consentRow(subject, org, { requested_at: new Date('2026-02-01T00:00:00.000Z'), status: 'ACTIVE' });
      const newer = consentRow(subject, org, { requested_at: new Date('2026-03-01T00:00:00.000Z') });
      await f.consents.insert(older);
      await f.consents.insert(newer);
      await f.consents.insert(consentRow(await f.subject(), org));
      expect((await f.consents.forSubject(subject)).map((r) => r.id)).toEqual([newer.id, older.id]);
      expect((await f.consents.forSubject(subject, 'ACTIVE')).map((r) => r.id)).toEqual([older.id]);
    });

    it("counts uses in the consent's own period: the day's or the month's for a PERIODIC consent, `once` for a ONCE consent", async () => {
      const f = fixture();
      const org = await f.organization('J');
      const subject = await f.subject();
      const daily = consentRow(subject, org, { status: 'ACTIVE', accessMode: { mode: 'PERIODIC', limit: 5, per: 'DAY' } });
      const monthly = consentRow(subject, org, { status: 'ACTIVE', accessMode: { mode: 'PERIODIC', limit: 5, per: 'MONTH' } });
      const once = consentRow(subject, org, { status: 'ACTIVE', accessMode: { mode: 'ONCE' } });
      for (const r of [daily, monthly, once]) await f.consents.insert(r);
      const periods = { day: '2026-05-04', month: '2026-05' };
      const use = (consentId: string, period: string) =>
        f.access.recordAccess(
          {
            id: crypto.randomUUID(),
            consentId,
            subjectId: subject,
            consumerOrgId: org,
            purpose: 'CREDIT_SCORING',
            fields: ['identity.fullName'],
            outcome: 'GRANTED',
            usagePeriod: period,
            at: new Date('2026-05-04T10:00:00.000Z'),
          },
          { period, limit: 5 },
        );
      await use(daily.id, '2026-05-04');
      await use(daily.id, '2026-05-04');
      await use(daily.id, '2026-05-03');
      await use(monthly.id, '2026-05');
      await use(once.id, 'once');
      expect((await f.consents.getWithUses(daily.id, periods))!.uses).toBe(2);
      expect((await f.consents.getWithUses(monthly.id, periods))!.uses).toBe(1);
      expect((await f.consents.getWithUses(once.id, periods))!.uses).toBe(1);
      expect((await f.consents.getWithUses(daily.id, { day: '2026-05-05', month: '2026-05' }))!.uses).toBe(0);
      expect(await f.consents.getWithUses('00000000-0000-4000-8000-000000000000', periods)).toBeUndefined();
    });
  });
}
