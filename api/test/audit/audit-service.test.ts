import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAuditService, type AccessEvent } from '../../src/audit/index.js';
import { consentRow, pgFixture } from '../contracts/fixture.js';
import { usePostgres } from '../postgres.js';

// The auditors' queries are SQL over the read models: tested on Postgres alone (no ledger, no API).
const db = usePostgres();
const fixture = pgFixture(() => db.sql);
const noLedger = { height: () => Promise.reject(new Error('not used')), blocks: () => Promise.reject(new Error('not used')) };

async function readsOf(outcomes: ('GRANTED' | 'DENIED')[]) {
  const f = fixture();
  const bank = await f.organization('Ngân hàng A');
  const subject = await f.subject();
  const consent = consentRow(subject, bank, { status: 'ACTIVE', requested_at: new Date('2026-06-01T00:00:00.000Z') });
  await f.consents.insert(consent);
  const events: AccessEvent[] = outcomes.map((outcome, i) => ({
    id: randomUUID(),
    consentId: consent.id,
    subjectId: subject,
    consumerOrgId: bank,
    purpose: consent.purpose,
    fields: ['residence.province'],
    outcome,
    ...(outcome === 'DENIED' ? { reason: 'field_not_granted' } : {}),
    at: new Date(Date.UTC(2026, 5, 1, 8, i)),
  }));
  for (const e of events) await f.access.recordAccess(e);
  return { bank, subject, consent, events, audit: createAuditService(db.sql, noLedger) };
}

describe('AuditService on Postgres', () => {
  it('filters access events by consumer and outcome, newest first, a page at a time', async () => {
    const { bank, subject, events, audit } = await readsOf(['GRANTED', 'DENIED', 'GRANTED', 'GRANTED']);
    const first = await audit.accessEvents({ consumerOrgId: bank, outcome: 'GRANTED' }, 2);
    expect(first.items.map((e) => e.id)).toEqual([events[3]!.id, events[2]!.id]);
    expect(first.items[0]).toMatchObject({ subjectId: subject, consumer: { id: bank, name: 'Ngân hàng A' }, outcome: 'GRANTED' });
    const second = await audit.accessEvents({ consumerOrgId: bank, outcome: 'GRANTED' }, 2, first.nextCursor);
    expect(second).toEqual({ nextCursor: '', items: [expect.objectContaining({ id: events[0]!.id })] });
  });

  it('refuses a cursor it did not give', async () => {
    const { bank, audit } = await readsOf(['GRANTED']);
    const forged = Buffer.from(JSON.stringify(['2026-06-01T08:00:00.000Z', "1' or '1'='1"])).toString('base64url');
    await expect(audit.accessEvents({ consumerOrgId: bank }, 2, forged)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it("sums up each consumer's granted and refused reads and the citizens concerned, in a time range", async () => {
    const { bank, audit } = await readsOf(['GRANTED', 'DENIED', 'GRANTED']);
    const rows = await audit.accessSummary(new Date('2026-06-01T00:00:00.000Z'), new Date('2026-06-02T00:00:00.000Z'));
    expect(rows.find((r) => r.consumerOrgId === bank)).toEqual({
      consumerOrgId: bank,
      consumerName: 'Ngân hàng A',
      granted: 2,
      denied: 1,
      citizens: 1,
      firstAt: '2026-06-01T08:00:00.000Z',
      lastAt: '2026-06-01T08:02:00.000Z',
    });
    const before = await audit.accessSummary(new Date('2026-05-01T00:00:00.000Z'), new Date('2026-06-01T00:00:00.000Z'));
    expect(before.find((r) => r.consumerOrgId === bank)).toBeUndefined();
  });
});
