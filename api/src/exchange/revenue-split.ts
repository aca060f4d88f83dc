/** Who receives a share of what a licence's buyer pays. */
export type Party = 'stateBudget' | 'operator' | 'citizens' | 'provider';

/** Shares in basis points (1/100 of a percent); the provider receives what the others do not. */
export interface RevenueShares {
  stateBudgetBps: number;
  operatorBps: number;
  /** Only for products built on citizens' own data (CONSENTED); for the others it goes to the provider. */
  citizensBps: number;
}

export type RevenueSplit = Record<Party, bigint>;

/** Ties in the remainders go in this order: the state first, the provider last. */
const PARTIES: readonly Party[] = ['stateBudget', 'operator', 'citizens', 'provider'];

export function validateShares(s: RevenueShares): string | undefined {
  for (const [name, bps] of Object.entries(s)) {
    if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) return `${name} must be a whole number of basis points from 0 to 10000`;
  }
  if (s.stateBudgetBps + s.operatorBps + s.citizensBps > 10_000) return 'the state budget, operator and citizens shares add up to more than 100%';
  return undefined;
}

/**
 * Splits a total in đồng by the largest-remainder method, in integers only: each party first gets
 * the floor of its exact share (total × bps / 10 000); the đồng left over (at most three) go one
 * each to the parties with the largest fractional remainders, ties in the order state budget,
 * operator, citizens, provider. So the parts always sum to the total, and no part differs from its
 * exact share by one đồng or more.
 */
export function splitRevenue(total: bigint, shares: RevenueShares, withCitizens: boolean): RevenueSplit {
  if (total < 0n) throw new RangeError('a total cannot be negative');
  const citizens = withCitizens ? shares.citizensBps : 0;
  const bps: Record<Party, bigint> = {
    stateBudget: BigInt(shares.stateBudgetBps),
    operator: BigInt(shares.operatorBps),
    citizens: BigInt(citizens),
    provider: BigInt(10_000 - shares.stateBudgetBps - shares.operatorBps - citizens),
  };
  const amounts = apportion(
    total,
    PARTIES.map((p) => bps[p]),
  );
  return Object.fromEntries(PARTIES.map((p, i) => [p, amounts[i]!])) as RevenueSplit;
}

/**
 * Largest-remainder apportionment of a whole amount by weights: each gets the floor of its exact
 * share, and the units left over (fewer than the number of weights) go one each to the largest
 * fractional remainders, ties to the earlier weight. The results always sum to `total` (when some
 * weight is positive).
 */
export function apportion(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return weights.map(() => 0n);
  const parts = weights.map((w) => (total * w) / sum);
  const order = weights
    .map((w, i) => ({ i, remainder: (total * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  for (let k = 0; left > 0n; k++, left--) parts[order[k]!.i]! += 1n;
  return parts;
}
