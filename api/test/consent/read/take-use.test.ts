import { describe, expect, it } from 'vitest';
import { takeUse } from '../../../src/consent/read/take-use.js';

describe('read step 3: take a use', () => {
  const at = new Date('2026-05-31T18:30:00.000Z'); // 1 June, 01:30 in Hà Nội

  it('spends the only use of a ONCE consent', () => {
    expect(takeUse({ access_mode: { mode: 'ONCE' } }, at)).toEqual({ period: 'once', limit: 1 });
  });

  it("spends one of the day's or the month's uses of a PERIODIC consent, in Vietnamese time", () => {
    expect(takeUse({ access_mode: { mode: 'PERIODIC', limit: 5, per: 'DAY' } }, at)).toEqual({ period: '2026-06-01', limit: 5 });
    expect(takeUse({ access_mode: { mode: 'PERIODIC', limit: 40, per: 'MONTH' } }, at)).toEqual({ period: '2026-06', limit: 40 });
  });
});
