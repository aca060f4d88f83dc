import type { PlanValue, TermsValue } from './product-schemas.js';

/** One limit on a licence's units, counted in a window: `terms` from the product's licence terms, `plan` from the plan's included units. */
export interface QuotaLimit {
  source: 'terms' | 'plan';
  units: number;
  per: 'DAY' | 'MONTH' | 'LICENCE';
}

/** The month a use is billed in, `YYYY-MM` (UTC). */
export function periodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The counter a limit uses at a moment: `terms:2026-11-24`, `plan:2026-11`, `terms:licence`. */
export function windowKey(limit: QuotaLimit, at: Date): string {
  const iso = at.toISOString();
  return `${limit.source}:${limit.per === 'DAY' ? iso.slice(0, 10) : limit.per === 'MONTH' ? iso.slice(0, 7) : 'licence'}`;
}

/** Every limit a licence's use must stay within: the product's quota and the plan's monthly units. */
export function quotaLimits(termsQuota: TermsValue['quota'], plan: PlanValue): QuotaLimit[] {
  const limits: QuotaLimit[] = [];
  if (termsQuota) limits.push({ source: 'terms', units: termsQuota.units, per: termsQuota.per });
  if ((plan.kind === 'SUBSCRIPTION' || plan.kind === 'FREE') && plan.includedUnits) limits.push({ source: 'plan', units: plan.includedUnits, per: 'MONTH' });
  return limits;
}

/** What a use costs: per unit on pay-per-query and per-record plans; nothing more on a subscription (paid monthly) or the free tier. */
export function usageAmount(plan: PlanValue, units: number): bigint {
  return plan.kind === 'PAY_PER_QUERY' || plan.kind === 'PER_RECORD' ? BigInt(plan.priceDong) * BigInt(units) : 0n;
}

/**
 * A subscription's fee for a month: the whole monthly price for every month in which the licence
 * was valid for any time at all (no pro-rating, so a statement never depends on the hour).
 */
export function subscriptionFee(plan: PlanValue, period: string, validFrom: Date, endsAt: Date): bigint {
  if (plan.kind !== 'SUBSCRIPTION') return 0n;
  const start = Date.parse(`${period}-01T00:00:00.000Z`);
  const [y, m] = period.split('-').map(Number) as [number, number];
  const end = Date.UTC(y, m, 1); // the first of the next month
  return validFrom.getTime() < end && endsAt.getTime() > start ? BigInt(plan.priceDong) : 0n;
}

/** The months from `from` to `to` inclusive, `YYYY-MM`. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
    if (out.length > 120) break;
  }
  return out;
}
