/**
 * Laplace noise for a counting query (sensitivity 1): scale 1/ε, drawn by inverse transform from a
 * uniform number in (0, 1) that the caller supplies (crypto-random in production, seeded in tests).
 */
export function laplace(epsilon: number, uniform: () => number): number {
  if (!(epsilon > 0)) throw new RangeError('epsilon must be positive');
  let u = uniform();
  while (u <= 0 || u >= 1) u = uniform();
  const centred = u - 0.5;
  return -(1 / epsilon) * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

/** A noisy count, rounded and never below zero (post-processing does not weaken the guarantee). */
export function noisyCount(count: number, epsilon: number, uniform: () => number): number {
  return Math.max(0, Math.round(count + laplace(epsilon, uniform)));
}

/** ε in millionths, so budgets are spent with integer arithmetic and never drift. */
export function toMicroEpsilon(epsilon: number): bigint {
  return BigInt(Math.round(epsilon * 1e6));
}
