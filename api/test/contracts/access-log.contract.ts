import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accessEventEntry, type AccessEvent } from '../../src/audit/index.js';
import { consentRow, type FixtureFactory, type StoreFixture } from './fixture.js';

async function activeConsent(f: StoreFixture, limit: number, orgName = 'Ngân hàng A') {
  const org = await f.organization(orgName);
  const subject = await f.subject();
  const row = consentRow(subject, org, { status: 'ACTIVE', accessMode: { mode: 'PERIODIC', limit, per: 'DAY' } });
  await f.consents.insert(row);
  const read = (at = new Date('2026-06-01T08:00:00.000Z')): AccessEvent => ({
    id: randomUUID(),
    consentId: row.id,
    subjectId: subject,
    consumerOrgId: org,
    purpose: row.purpose,
    fields: ['identity.fullName'],
    outcome: 'GRANTED',
    usagePeriod: '2026-06-01',
    at,
  });
  return { org, subject, consent: row, read };
}

/** What every access log must do — the Postgres log and its in-memory twin. */
export function accessLogContract(name: string, fixture: FixtureFactory): void {
  describe(`access log contract: ${name}`, () => {
    it('records reads in order, each with its leaf, and shows a citizen theirs newest first with the exact bytes each leaf hashes', async () => {
      const f = fixture();
      const { subject, read } = await activeConsent(f, 10);
      const first = read(new Date('2026-06-01T08:00:00.000Z'));
      const second = { ...read(new Date('2026-06-01T09:00:00.000Z')), outcome: 'DENIED' as const, reason: 'purpose_mismatch', usagePeriod: undefined };
      const a = await f.access.recordAccess(first);
      const b = await f.access.recordAccess(second);
      expect(b.leafIndex).toBeGreaterThan(a.leafIndex);
      expect(a.outcome).toBe('GRANTED');
      expect(b.outcome).toBe('DENIED');
      const events = await f.access.accessEventsOf(subject, { limit: 10 });
      expect(events.map((e) => [e.id, e.outcome, e.reason, e.consumer_name, Number(e.leaf_index)])).toEqual([
        [second.id, 'DENIED', 'purpose_mismatch', 'Ngân hàng A', b.leafIndex],
        [first.id, 'GRANTED', null, 'Ngân hàng A', a.leafIndex],
      ]);
      expect(events[1]!.log_entry).toBe(accessEventEntry(first));
    });

    it("pages a citizen's reads after a (time, id) cursor", async () => {
      const f = fixture();
      const { subject, read } = await activeConsent(f, 10);
      const reads = [1, 2, 3].map((h) => read(new Date(Date.UTC(2026, 5, 1, h))));
      for (const r of reads) await f.access.recordAccess(r);
      const page = await f.access.accessEventsOf(subject, { limit: 2, after: { at: reads[2]!.at, id: reads[2]!.id } });
      expect(page.map((e) => e.id)).toEqual([reads[1]!.id, reads[0]!.id]);
    });

    it("counts a guarded read's use as it records it, and records the read past the allowance as denied (frequency_exceeded)", async () => {
      const f = fixture();
      const { consent, read, subject } = await activeConsent(f, 2);
      const guard = { period: '2026-06-01', limit: 2 };
      expect((await f.access.recordAccess(read(new Date('2026-06-01T08:00:00.000Z')), guard)).outcome).toBe('GRANTED');
      expect((await f.access.recordAccess(read(new Date('2026-06-01T08:01:00.000Z')), guard)).outcome).toBe('GRANTED');
      const third = read(new Date('2026-06-01T08:02:00.000Z'));
      expect(await f.access.recordAccess(third, guard)).toMatchObject({ outcome: 'DENIED', reason: 'frequency_exceeded' });
      expect((await f.consents.getWithUses(consent.id, { day: '2026-06-01', month: '2026-06' }))!.uses).toBe(2);
      const [latest] = await f.access.accessEventsOf(subject, { limit: 1 });
      expect(latest).toMatchObject({ id: third.id, outcome: 'DENIED', reason: 'frequency_exceeded' });
      expect(latest!.log_entry).toBe(accessEventEntry({ ...third, outcome: 'DENIED', reason: 'frequency_exceeded', usagePeriod: undefined }));
    });

    it('records a guarded read as denied (not_active), counting nothing, once a revoke has blocked the consent', async () => {
      const f = fixture();
      const { consent, read } = await activeConsent(f, 5);
      await f.consents.block(consent.id, 'revoke');
      expect(await f.access.recordAccess(read(), { period: '2026-06-01', limit: 5 })).toMatchObject({ outcome: 'DENIED', reason: 'not_active' });
      await f.consents.unblock(consent.id);
      expect((await f.consents.getWithUses(consent.id, { day: '2026-06-01', month: '2026-06' }))!.uses).toBe(0);
    });

    it('lets parallel guarded reads take exactly the allowance, no more', async () => {
      const f = fixture();
      const { read } = await activeConsent(f, 3);
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => f.access.recordAccess(read(), { period: '2026-06-01', limit: 3 })));
      expect(outcomes.filter((o) => o.outcome === 'GRANTED')).toHaveLength(3);
      expect(new Set(outcomes.map((o) => o.leafIndex)).size).toBe(8);
    });

    it('gives a ledger transaction one leaf: appending it again answers the first leaf', async () => {
      const f = fixture();
      const tx = randomUUID().replace(/-/g, '');
      const a = await f.access.append('consent_decision', { consentId: 'c', status: 'ACTIVE' }, tx);
      const b = await f.access.append('consent_decision', { consentId: 'c', status: 'ACTIVE' }, tx);
      const c = await f.access.append('record_deposit', { recordId: 'r' });
      expect(b.leafIndex).toBe(a.leafIndex);
      expect(c.leafIndex).toBeGreaterThan(a.leafIndex);
    });
  });
}
