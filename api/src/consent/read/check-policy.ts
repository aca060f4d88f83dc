import { checkUse, type Consent, type DenialReason } from '@citizen-vault/chaincode/rules';
import type { ErrorCode } from '../../errors/index.js';
import type { ConsentRow } from '../consent-store.js';
import type { LoadedConsent, ReadRequest } from './consented-read.js';

/** The error code each of the rules' denial reasons is answered with. */
export const DENIAL: Record<DenialReason, ErrorCode> = {
  not_active: 'consent_not_active',
  expired: 'consent_expired',
  not_yet_valid: 'consent_not_yet_valid',
  purpose_mismatch: 'purpose_mismatch',
  field_not_granted: 'field_not_granted',
  frequency_exceeded: 'frequency_exceeded',
  wrong_consumer: 'not_found',
};

export type PolicyDecision = { allowed: true } | { allowed: false; reason: DenialReason; detail: string };

/**
 * Step 2, check policy: the chaincode's own rule (`checkUse`) over the consent's current state —
 * status, window, purpose, fields, frequency. A revoke or pause the citizen asked for counts from
 * the moment they asked, before the ledger has committed it. Pure: no I/O, the time is given.
 */
export function checkPolicy(consent: LoadedConsent, request: ReadRequest, fields: string[]): PolicyDecision {
  const ledgerState = asLedgerConsent(consent);
  const state = consent.blocked_by ? { ...ledgerState, status: consent.blocked_by === 'revoke' ? ('REVOKED' as const) : ('PAUSED' as const) } : ledgerState;
  return checkUse(state, { consumerOrgId: request.consumerOrgId, purpose: consent.purpose, fields, at: request.at.toISOString() }, consent.uses);
}

/** The read-model row in the ledger's shape, which the rules take. */
export function asLedgerConsent(c: ConsentRow): Consent {
  return {
    id: c.id,
    subjectId: c.subject_id,
    consumerOrgId: c.consumer_org_id,
    consumerMspId: '',
    purpose: c.purpose,
    requestedFields: c.requested_fields,
    grantedFields: c.granted_fields,
    accessMode: c.access_mode,
    validFrom: c.valid_from.toISOString(),
    validUntil: c.valid_until.toISOString(),
    retentionDays: c.retention_days,
    onwardTransfer: c.onward_transfer,
    crossBorder: c.cross_border,
    artefactHash: c.artefact_hash,
    status: c.status,
    requestedAt: c.requested_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
