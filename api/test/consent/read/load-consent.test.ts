import { describe, expect, it } from 'vitest';
import { loadConsent } from '../../../src/consent/read/load-consent.js';
import { DomainError } from '../../../src/errors/index.js';
import { loadedConsent } from '../consent-rows.js';

describe('read step 1: load the consent', () => {
  it("asks for the uses of the read's own day and month, counted in Vietnamese time", async () => {
    const consent = loadedConsent();
    const asked: { day: string; month: string }[] = [];
    const store = { getWithUses: async (_id: string, periods: { day: string; month: string }) => (asked.push(periods), consent) };
    // 18:00 UTC on 31 May is already 1 June in Hà Nội.
    const loaded = await loadConsent(store, { consumerOrgId: 'bank', consentId: consent.id, requested: undefined, at: new Date('2026-05-31T18:00:00.000Z') });
    expect(loaded).toBe(consent);
    expect(asked).toEqual([{ day: '2026-06-01', month: '2026-06' }]);
  });

  it("answers another organisation's consent exactly like a missing one: not_found", async () => {
    const consent = loadedConsent({ consumer_org_id: 'bank' });
    const store = { getWithUses: async (id: string) => (id === consent.id ? consent : undefined) };
    const attempt = (consumerOrgId: string, consentId: string) => loadConsent(store, { consumerOrgId, consentId, requested: undefined, at: new Date() });
    const other = await attempt('insurer', consent.id).catch((e: unknown) => e);
    const missing = await attempt('bank', 'nope').catch((e: unknown) => e);
    expect(other).toBeInstanceOf(DomainError);
    expect(missing).toBeInstanceOf(DomainError);
    expect((other as DomainError).code).toBe('not_found');
    expect((missing as DomainError).code).toBe('not_found');
  });
});
