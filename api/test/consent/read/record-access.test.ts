import { describe, expect, it } from 'vitest';
import type { AccessEvent, RecordedAccess, UseGuard } from '../../../src/audit/index.js';
import { recordDenial, recordGrantedAccess } from '../../../src/consent/read/record-access.js';
import { DomainError } from '../../../src/errors/index.js';

const event = {
  id: 'e-1',
  consentId: 'c-1',
  subjectId: 's-1',
  consumerOrgId: 'bank',
  purpose: 'credit_scoring',
  fields: ['residence.province'],
  at: new Date('2026-06-01T08:00:00.000Z'),
};

/** A recorder that answers as told, keeping what it was asked, and resolves only when the test says the write is durable. */
function recorder(answer: Omit<RecordedAccess, 'leafIndex'>) {
  const calls: { event: AccessEvent; guard: UseGuard | undefined }[] = [];
  let durable!: () => void;
  const written = new Promise<void>((resolve) => (durable = resolve));
  return {
    calls,
    durable: () => durable(),
    recordAccess: async (e: AccessEvent, guard?: UseGuard): Promise<RecordedAccess> => {
      calls.push({ event: e, guard });
      await written;
      return { leafIndex: 7, ...answer };
    },
  };
}

describe('read step 5: record the access', () => {
  it('records a granted read with its usage period and guard, and resolves only once the record is durable', async () => {
    const r = recorder({ outcome: 'GRANTED' });
    let settled = false;
    const recording = recordGrantedAccess(r, event, { period: '2026-06-01', limit: 3 }).then((x) => ((settled = true), x));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    r.durable();
    expect(await recording).toEqual({ leafIndex: 7 });
    expect(r.calls).toEqual([{ event: { ...event, outcome: 'GRANTED', usagePeriod: '2026-06-01' }, guard: { period: '2026-06-01', limit: 3 } }]);
  });

  it('refuses the read when the log recorded it as denied because the allowance was spent meanwhile', async () => {
    const r = recorder({ outcome: 'DENIED', reason: 'frequency_exceeded' });
    r.durable();
    const err = await recordGrantedAccess(r, event, { period: '2026-06-01', limit: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'frequency_exceeded', detail: '2 uses allowed in this period' });
  });

  it('refuses the read when the log recorded it as denied because a revoke or pause landed meanwhile', async () => {
    const r = recorder({ outcome: 'DENIED', reason: 'not_active' });
    r.durable();
    await expect(recordGrantedAccess(r, event, { period: 'once', limit: 1 })).rejects.toMatchObject({ code: 'consent_not_active' });
  });

  it("records a refusal, durably, before answering it with the rule's code", async () => {
    const r = recorder({ outcome: 'DENIED' });
    let settled = false;
    const refusing = recordDenial(r, event, 'field_not_granted', 'not granted: residence.streetAddress').catch((e: unknown) => ((settled = true), e));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    r.durable();
    expect(await refusing).toMatchObject({ code: 'field_not_granted', detail: 'not granted: residence.streetAddress' });
    expect(r.calls).toEqual([{ event: { ...event, outcome: 'DENIED', reason: 'field_not_granted' }, guard: undefined }]);
  });
});
