import type { ProductBodyValue } from './product-schemas.js';

export type PrelistingFlagCode = 'reidentification_permitted' | 'resale_permitted' | 'missing_purposes' | 'no_minimum_cohort' | 'small_minimum_cohort';

export interface PrelistingFlag {
  code: PrelistingFlagCode;
  /** `block`: the product cannot be submitted for review until fixed; `warn`: the operator decides. */
  severity: 'block' | 'warn';
  message: string;
}

export const DEFAULT_MIN_COHORT = 10;

/**
 * The automated check before a product reaches the operator's review: licence terms must forbid
 * re-identification and resale (the law forbids selling personal data), name at least one purpose,
 * and an aggregate product must set a minimum cohort size.
 */
export function prelistingCheck(p: Pick<ProductBodyValue, 'kind' | 'terms'>): PrelistingFlag[] {
  const flags: PrelistingFlag[] = [];
  const prohibited: readonly string[] = p.terms.prohibitedActions;
  if (!prohibited.includes('re_identification')) {
    flags.push({ code: 'reidentification_permitted', severity: 'block', message: 'the terms must prohibit re_identification' });
  }
  if (!prohibited.includes('resale')) flags.push({ code: 'resale_permitted', severity: 'block', message: 'the terms must prohibit resale' });
  if (p.terms.permittedPurposes.length === 0) flags.push({ code: 'missing_purposes', severity: 'block', message: 'the terms name no permitted purpose' });
  if (p.kind === 'AGGREGATE') {
    const min = p.terms.minCohortSize;
    if (min === undefined) flags.push({ code: 'no_minimum_cohort', severity: 'block', message: 'an aggregate product needs terms.minCohortSize' });
    else if (min < DEFAULT_MIN_COHORT) {
      flags.push({ code: 'small_minimum_cohort', severity: 'warn', message: `a minimum cohort below ${DEFAULT_MIN_COHORT} makes re-identification easier` });
    }
  }
  return flags;
}
