import type { AGE_BANDS } from './exchange-vocabulary.js';

export interface StatisticsFilter {
  province?: string;
  sex?: string;
  insuranceStatus?: string;
  ageBand?: (typeof AGE_BANDS)[number];
}

/** The coarse attributes one citizen contributes to statistics. */
export interface StatisticsAttributes {
  province?: string;
  birthYear?: number;
  sex?: string;
  insuranceStatus?: string;
}
