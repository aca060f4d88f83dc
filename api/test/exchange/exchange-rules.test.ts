import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { laplace, noisyCount, toMicroEpsilon } from '../../src/exchange/laplace-noise.js';
import { prelistingCheck } from '../../src/exchange/prelisting-check.js';
import { monthsBetween, quotaLimits, subscriptionFee, usageAmount, windowKey } from '../../src/exchange/pricing.js';
import { apportion, splitRevenue, validateShares } from '../../src/exchange/revenue-split.js';
import { derive } from '../../src/exchange/statistics-projection.js';
import { ageBand, birthYearsOf, protectCells } from '../../src/exchange/statistics-query.js';

const SHARES = { stateBudgetBps: 1000, operatorBps: 500, citizensBps: 3000 };

/** A small seeded generator (mulberry32), so the noise tests are repeatable. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('revenue split', () => {
  it('splits 1 000 000 đồng 10/5/30/55 exactly', () => {
    expect(splitRevenue(1_000_000n, SHARES, true)).toEqual({ stateBudget: 100_000n, operator: 50_000n, citizens: 300_000n, provider: 550_000n });
  });

  it('gives the citizens nothing, and the provider their share, when the product is not built on their data', () => {
    expect(splitRevenue(1_000_000n, SHARES, false)).toEqual({ stateBudget: 100_000n, operator: 50_000n, citizens: 0n, provider: 850_000n });
  });

  it('hands leftover đồng to the largest remainders, ties to the state budget first', () => {
    // 1 đồng: every exact share is a fraction; the largest (provider 0.55) wins it.
    expect(splitRevenue(1n, SHARES, true)).toEqual({ stateBudget: 0n, operator: 0n, citizens: 0n, provider: 1n });
    // 3 đồng at 25% each: 0.75 remainders tie, so the state budget, the operator and the citizens get one each.
    expect(splitRevenue(3n, { stateBudgetBps: 2500, operatorBps: 2500, citizensBps: 2500 }, true)).toEqual({
      stateBudget: 1n,
      operator: 1n,
      citizens: 1n,
      provider: 0n,
    });
  });

  it('always sums to the total, each part within one đồng of its exact share (property)', () => {
    const shares = fc
      .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }))
      .filter(([a, b, c]) => a + b + c <= 10_000)
      .map(([stateBudgetBps, operatorBps, citizensBps]) => ({ stateBudgetBps, operatorBps, citizensBps }));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), shares, fc.boolean(), (total, s, consented) => {
        const parts = splitRevenue(total, s, consented);
        expect(parts.stateBudget + parts.operator + parts.citizens + parts.provider).toBe(total);
        const citizens = consented ? s.citizensBps : 0;
        const exact = { stateBudget: s.stateBudgetBps, operator: s.operatorBps, citizens, provider: 10_000 - s.stateBudgetBps - s.operatorBps - citizens };
        for (const [party, bps] of Object.entries(exact)) {
          const diff = parts[party as keyof typeof parts] * 10_000n - total * BigInt(bps);
          expect(diff > -10_000n && diff < 10_000n).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("apportions a citizens' share by records read, summing to the share (property)", () => {
    expect(apportion(1350n, [2n, 1n])).toEqual([900n, 450n]);
    expect(apportion(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]); // the leftover đồng to the first tie
    expect(apportion(5n, [0n, 0n])).toEqual([0n, 0n]);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 50 }),
        (total, weights) => {
          const parts = apportion(total, weights);
          const sum = weights.reduce((a, b) => a + b, 0n);
          expect(parts.reduce((a, b) => a + b, 0n)).toBe(sum === 0n ? 0n : total);
          expect(parts.every((p) => p >= 0n)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses shares over 100%', () => {
    expect(validateShares({ stateBudgetBps: 6000, operatorBps: 3000, citizensBps: 2000 })).toMatch(/more than 100%/);
    expect(validateShares(SHARES)).toBeUndefined();
  });
});

describe('pricing and quotas', () => {
  const perQuery = { id: 'per-query', kind: 'PAY_PER_QUERY' as const, priceDong: '2000' };
  const monthly = { id: 'monthly', kind: 'SUBSCRIPTION' as const, priceDong: '5000000', includedUnits: 1000 };
  it('charges per unit on pay-per-query and per-record plans, nothing per use on subscriptions and the free tier', () => {
    expect(usageAmount(perQuery, 3)).toBe(6000n);
    expect(usageAmount({ id: 'r', kind: 'PER_RECORD', priceDong: '150' }, 1)).toBe(150n);
    expect(usageAmount(monthly, 5)).toBe(0n);
    expect(usageAmount({ id: 'free', kind: 'FREE', priceDong: '0', includedUnits: 10 }, 1)).toBe(0n);
  });

  it("limits a licence by its terms' quota and its plan's monthly units, each in its own window", () => {
    const limits = quotaLimits({ units: 50, per: 'DAY' }, monthly);
    expect(limits).toEqual([
      { source: 'terms', units: 50, per: 'DAY' },
      { source: 'plan', units: 1000, per: 'MONTH' },
    ]);
    const at = new Date('2026-11-24T10:00:00Z');
    expect(limits.map((l) => windowKey(l, at))).toEqual(['terms:2026-11-24', 'plan:2026-11']);
    expect(windowKey({ source: 'terms', units: 1, per: 'LICENCE' }, at)).toBe('terms:licence');
  });

  it('bills a subscription for each month the licence was valid in, whole', () => {
    const from = new Date('2026-10-20T00:00:00Z');
    const until = new Date('2026-12-01T00:00:00Z');
    expect(subscriptionFee(monthly, '2026-09', from, until)).toBe(0n);
    expect(subscriptionFee(monthly, '2026-10', from, until)).toBe(5_000_000n);
    expect(subscriptionFee(monthly, '2026-11', from, until)).toBe(5_000_000n);
    expect(subscriptionFee(monthly, '2026-12', from, until)).toBe(0n);
    expect(subscriptionFee(perQuery, '2026-11', from, until)).toBe(0n);
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });
});

describe('statistics protection', () => {
  it('suppresses cells under the minimum cohort and counts them', () => {
    const out = protectCells(
      [
        { province: 'Hà Nội', count: 12 },
        { province: 'Huế', count: 9 },
        { province: 'Cần Thơ', count: 10 },
      ],
      10,
      undefined,
    );
    expect(out).toEqual({
      cells: [
        { province: 'Hà Nội', count: 12 },
        { province: 'Cần Thơ', count: 10 },
      ],
      suppressedCells: 1,
    });
  });

  it('adds Laplace noise of scale 1/ε: mean about 0, variance about 2/ε²', () => {
    const uniform = seeded(42);
    const n = 20_000;
    const samples = Array.from({ length: n }, () => laplace(0.5, uniform));
    const mean = samples.reduce((a, b) => a + b, 0) / n;
    const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(variance).toBeGreaterThan(8 * 0.9);
    expect(variance).toBeLessThan(8 * 1.1);
  });

  it('never answers a negative or fractional count, and measures ε in whole millionths', () => {
    const uniform = seeded(7);
    for (let i = 0; i < 1000; i++) {
      const c = noisyCount(0, 0.1, uniform);
      expect(Number.isInteger(c) && c >= 0).toBe(true);
    }
    expect(toMicroEpsilon(0.1)).toBe(100_000n);
    expect(toMicroEpsilon(0.1) * 3n).toBe(toMicroEpsilon(0.3));
  });

  it('bands ages by birth year, and maps a band back to birth years', () => {
    const at = new Date('2026-11-24T00:00:00Z');
    expect(ageBand(2010, at)).toBe('0-17');
    expect(ageBand(1990, at)).toBe('35-44');
    expect(ageBand(1950, at)).toBe('65+');
    expect(birthYearsOf('35-44', at)).toEqual({ from: 1982, to: 1991 });
  });

  it('derives only coarse attributes from a record: a birth year, never the date', () => {
    expect(derive('identity', { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-04-12', sex: 'male', citizenIdNumber: '000000000101' })).toEqual({
      birthYear: 1990,
      sex: 'male',
    });
    expect(derive('residence', { province: 'Hà Nội', streetAddress: '12 Phố Huế' })).toEqual({ province: 'Hà Nội' });
    expect(derive('health_insurance', { cardNumber: 'X', status: 'active' })).toEqual({ insuranceStatus: 'ACTIVE' });
    expect(derive('driving_licence', { licenceNumber: '1' })).toEqual({});
  });
});

describe('pre-listing check', () => {
  const terms = {
    permittedPurposes: ['academic_research'],
    durationDays: 365,
    prohibitedActions: ['re_identification', 'resale'] as const,
    crossBorder: false,
    attribution: true,
    quota: null,
    minCohortSize: 10,
  };
  it('passes terms that forbid re-identification and resale, with a purpose and a cohort size', () => {
    expect(prelistingCheck({ kind: 'AGGREGATE', terms: { ...terms, prohibitedActions: [...terms.prohibitedActions] } })).toEqual([]);
  });

  it('flags re-identification, resale, missing purposes and a missing minimum cohort', () => {
    const flags = prelistingCheck({
      kind: 'AGGREGATE',
      terms: { ...terms, permittedPurposes: [], prohibitedActions: ['profiling'], minCohortSize: undefined },
    });
    expect(flags.map((f) => [f.code, f.severity])).toEqual([
      ['reidentification_permitted', 'block'],
      ['resale_permitted', 'block'],
      ['missing_purposes', 'block'],
      ['no_minimum_cohort', 'block'],
    ]);
  });

  it('warns about a cohort below 10, and does not ask a consented product for one', () => {
    expect(
      prelistingCheck({ kind: 'AGGREGATE', terms: { ...terms, prohibitedActions: [...terms.prohibitedActions], minCohortSize: 5 } }).map((f) => f.code),
    ).toEqual(['small_minimum_cohort']);
    expect(prelistingCheck({ kind: 'CONSENTED', terms: { ...terms, prohibitedActions: [...terms.prohibitedActions], minCohortSize: undefined } })).toEqual([]);
  });
});
