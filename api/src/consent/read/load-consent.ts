import { usagePeriod } from '@citizen-vault/chaincode/rules';
import { DomainError } from '../../errors/index.js';
import type { ConsentStore } from '../consent-store.js';
import type { LoadedConsent, ReadRequest } from './consented-read.js';
import type { ReadSnapshot, ReadSource } from './read-source.js';

/** The usage periods a read at `at` may count in (its consent's mode picks one), in Vietnamese time. */
function periodsAt(at: Date): { day: string; month: string } {
  const iso = at.toISOString();
  return {
    day: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, iso),
    month: usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'MONTH' }, iso),
  };
}

/**
 * Step 1, load: the consent from the read model with its uses in the current period, in one round
 * trip. Another organisation's consent answers exactly like a missing one.
 */
export async function loadConsent(store: Pick<ConsentStore, 'getWithUses'>, request: ReadRequest): Promise<LoadedConsent> {
  const consent = await store.getWithUses(request.consentId, periodsAt(request.at));
  if (!consent || consent.consumer_org_id !== request.consumerOrgId) throw new DomainError('not_found', `consent ${request.consentId} does not exist`);
  return consent;
}

/** The same, with what else the source loads in that round trip (the subject's sealed key and records). */
export async function loadSnapshot(source: ReadSource, request: ReadRequest): Promise<ReadSnapshot> {
  const snapshot = await source.load(request.consentId, periodsAt(request.at));
  if (!snapshot || snapshot.consent.consumer_org_id !== request.consumerOrgId)
    throw new DomainError('not_found', `consent ${request.consentId} does not exist`);
  return snapshot;
}
