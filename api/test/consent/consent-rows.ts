import { randomUUID } from 'node:crypto';
import type { LoadedConsent } from '../../src/consent/index.js';

/** An ACTIVE consent as the read model loads it for a read (a test overrides what it is about). */
export function loadedConsent(over: Partial<LoadedConsent> = {}): LoadedConsent {
  return {
    id: randomUUID(),
    subject_id: randomUUID(),
    consumer_org_id: 'bank',
    consumer_name: 'Ngân hàng A',
    purpose: 'credit_scoring',
    requested_fields: ['residence.province', 'residence.streetAddress', 'health_insurance.status'],
    granted_fields: ['residence.province', 'health_insurance.status'],
    access_mode: { mode: 'PERIODIC', limit: 3, per: 'DAY' },
    valid_from: new Date('2026-01-01T00:00:00.000Z'),
    valid_until: new Date('2027-01-01T00:00:00.000Z'),
    retention_days: 30,
    onward_transfer: false,
    cross_border: false,
    justification: 'loan application',
    status: 'ACTIVE',
    artefact: {},
    artefact_hash: 'ab'.repeat(32),
    requested_at: new Date('2026-01-01T00:00:00.000Z'),
    decided_at: new Date('2026-01-02T00:00:00.000Z'),
    updated_at: new Date('2026-01-02T00:00:00.000Z'),
    blocked_by: null,
    uses: 0,
    ...over,
  };
}
