import { usagePeriod } from '@citizen-vault/chaincode/rules';
import { DomainError } from '../../errors/index.js';
import type { ConsentStore } from '../consent-store.js';
import type { LoadedConsent, ReadRequest } from './consented-read.js';

/**
 * Step 1, load: the consent from the read model with its uses in the current period, in one round
 * trip. Another organisation's consent answers exactly like a missing one.
 */
export async function loadConsent(store: Pick<ConsentStore, 'getWithUses'>, request: ReadRequest): Promise<LoadedConsent> {
  const iso = request.at.toISOString();
  const periods = {
    day: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, iso),
    month: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'MONTH' }, iso),
  };
  const consent = await store.getWithUses(request.consentId, periods);
  if (!consent || consent.consumer_org_id !== request.consumerOrgId) throw new DomainError('not_found', `consent ${request.consentId} does not exist`);
  return consent;
}
