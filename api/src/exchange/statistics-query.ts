import { noisyCount } from './laplace-noise.js';
import type { AGE_BANDS, Dimension } from './exchange-vocabulary.js';

export type Cell = Partial<Record<Dimension, string | null>> & { count: number };

/** The age band of someone born in `birthYear`, in the year of `at` (by year only: no exact date is kept). */
export function ageBand(birthYear: number, at: Date): (typeof AGE_BANDS)[number] {
  const age = at.getUTCFullYear() - birthYear;
  if (age < 18) return '0-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  return '65+';
}

/** The birth years an age band covers in the year of `at`, inclusive, for filtering in SQL. */
export function birthYearsOf(band: (typeof AGE_BANDS)[number], at: Date): { from: number; to: number } {
  const year = at.getUTCFullYear();
  const [lo, hi] = band === '65+' ? [65, 150] : (band.split('-').map(Number) as [number, number]);
  return { from: year - hi, to: year - lo };
}

/**
 * Protects the true counts before they leave: cells under the minimum cohort are suppressed
 * (dropped and only counted), then — when the product asks for it — Laplace noise of scale 1/ε is
 * added to each remaining count. Suppression looks at the true count, so a small cell is never shown,
 * noise or not.
 */
export function protectCells(
  cells: readonly Cell[],
  minCohort: number,
  noise: { epsilon: number; uniform: () => number } | undefined,
): { cells: Cell[]; suppressedCells: number } {
  const shown = cells.filter((c) => c.count >= minCohort);
  return {
    cells: shown.map((c) => (noise ? { ...c, count: noisyCount(c.count, noise.epsilon, noise.uniform) } : { ...c })),
    suppressedCells: cells.length - shown.length,
  };
}
