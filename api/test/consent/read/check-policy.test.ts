import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../../src/consent/read/check-policy.js';
import { loadedConsent } from '../consent-rows.js';

const at = new Date('2026-06-01T08:00:00.000Z');
const request = (consumerOrgId = 'bank') => ({ consumerOrgId, consentId: 'c', requested: undefined, at });

describe('read step 2: check the policy', () => {
  it("allows an active consent's granted fields within its window and allowance", () => {
    expect(checkPolicy(loadedConsent({ uses: 2 }), request(), ['residence.province'])).toEqual({ allowed: true });
  });

  it('refuses a field the citizen did not grant', () => {
    expect(checkPolicy(loadedConsent(), request(), ['residence.streetAddress'])).toMatchObject({ allowed: false, reason: 'field_not_granted' });
  });

  it('counts a revoke or pause from the moment the citizen pressed it, before the ledger has committed it', () => {
    expect(checkPolicy(loadedConsent({ blocked_by: 'revoke' }), request(), ['residence.province'])).toMatchObject({
      allowed: false,
      reason: 'not_active',
      detail: 'the consent is REVOKED',
    });
    expect(checkPolicy(loadedConsent({ blocked_by: 'pause' }), request(), ['residence.province'])).toMatchObject({
      allowed: false,
      reason: 'not_active',
      detail: 'the consent is PAUSED',
    });
  });

  it("refuses once the period's allowance is spent", () => {
    expect(checkPolicy(loadedConsent({ uses: 3 }), request(), ['residence.province'])).toMatchObject({ allowed: false, reason: 'frequency_exceeded' });
  });

  it('refuses after the validity window, and another consumer', () => {
    expect(checkPolicy(loadedConsent({ valid_until: new Date('2026-06-01T07:59:59.999Z') }), request(), ['residence.province'])).toMatchObject({
      allowed: false,
      reason: 'expired',
    });
    expect(checkPolicy(loadedConsent(), request('insurer'), ['residence.province'])).toMatchObject({ allowed: false, reason: 'wrong_consumer' });
  });
});
