import { usagePeriod } from '@citizen-vault/chaincode/rules';
import type { UseGuard } from '../../audit/index.js';
import type { LoadedConsent } from './consented-read.js';

/**
 * Step 3, take use: which use of the consent this read spends — its usage period (`once` for a
 * ONCE consent) and the period's allowance. The use is counted by the access log in the very
 * transaction that makes the read's event durable (step 5), and only while the consent is still
 * active and unblocked, so the counter is exact: never a use without its event, nor the reverse,
 * and parallel reads cannot overrun the allowance between the check and the count.
 */
export function takeUse(consent: Pick<LoadedConsent, 'access_mode'>, at: Date): UseGuard {
  return {
    period: usagePeriod(consent.access_mode, at.toISOString()),
    limit: consent.access_mode.mode === 'ONCE' ? 1 : consent.access_mode.limit,
  };
}
