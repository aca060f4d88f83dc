import { describe, expect, it } from 'vitest';
import { clockOf, closeBreach, notifyDueAt, recordBreach, updateBreach, type Breach } from '../../src/breaches/breach.js';

const H = 3_600_000;
const detectedAt = new Date('2026-02-14T22:00:00Z'); // a Saturday night: the 72 hours are calendar hours, weekends and Tết included
const scope = {
  summary: 'x',
  detectedAt,
  dataCategories: ['residence'],
  consumerOrgIds: ['01935c7e-0001-7000-8000-000000000001'],
  fields: ['residence.province'],
  window: { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-02-14T00:00:00Z') },
};
const open = (): Breach => {
  const d = recordBreach('01935c7e-0002-7000-8000-000000000002', scope, new Date(detectedAt.getTime() + H));
  if (!d.ok) throw new Error(d.detail);
  return d.breach;
};
const at = (hours: number) => new Date(detectedAt.getTime() + hours * H);

describe('the 72-hour breach clock', () => {
  it('is due 72 calendar hours after detection, whatever the day', () => {
    expect(notifyDueAt(detectedAt).toISOString()).toBe('2026-02-17T22:00:00.000Z');
  });

  it('is on time until 24 hours are left, due soon until the last minute, overdue after', () => {
    const b = open();
    expect(clockOf(b, at(48))).toMatchObject({ status: 'ON_TIME', minutesLeft: 24 * 60 });
    expect(clockOf(b, new Date(at(48).getTime() + 1))).toMatchObject({ status: 'DUE_SOON', minutesLeft: 24 * 60 - 1 });
    expect(clockOf(b, at(72))).toMatchObject({ status: 'DUE_SOON', minutesLeft: 0 });
    expect(clockOf(b, new Date(at(72).getTime() + 1))).toMatchObject({ status: 'OVERDUE', minutesLeft: -1 });
  });

  it('stops when the authority is notified: on time at the deadline itself, late a millisecond after', () => {
    const b = open();
    expect(clockOf({ ...b, authorityNotifiedAt: at(72) }, at(100))).toEqual({ dueAt: at(72), status: 'NOTIFIED', minutesLeft: null });
    expect(clockOf({ ...b, authorityNotifiedAt: new Date(at(72).getTime() + 1) }, at(100)).status).toBe('NOTIFIED_LATE');
  });

  it('refuses a notification before detection, and closing without the measures or, when late, without the reason', () => {
    const b = open();
    expect(updateBreach(b, { authorityNotifiedAt: at(-1) }, at(2))).toMatchObject({ ok: false, code: 'invalid_request', path: '/authorityNotifiedAt' });
    expect(closeBreach(b, { authorityNotifiedAt: at(10) }, at(11))).toMatchObject({ ok: false, path: '/measures' });
    expect(closeBreach(b, { authorityNotifiedAt: at(80), measures: 'm' }, at(81))).toMatchObject({ ok: false, path: '/lateReason' });
    expect(closeBreach(b, { authorityNotifiedAt: at(80), measures: 'm', lateReason: 'r' }, at(81))).toMatchObject({
      ok: true,
      breach: { state: 'CLOSED', version: 2 },
    });
    expect(closeBreach(b, {}, at(11))).toMatchObject({ ok: false, path: '/authorityNotifiedAt' });
  });
});
