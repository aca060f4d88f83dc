import { ChaincodeError } from './errors.js';
import type { AccessModeValue, ConsentRequest } from './schemas.js';

export type ConsentStatus = 'REQUESTED' | 'ACTIVE' | 'REJECTED' | 'PAUSED' | 'REVOKED' | 'EXPIRED';
export type ConsentAction = 'approve' | 'reject' | 'pause' | 'resume' | 'revoke' | 'expire';

/** A consent as the ledger keeps it: metadata only, never personal data. */
export interface Consent extends ConsentRequest {
  /** The MSP the consumer organisation transacts through, recorded when it asked. */
  consumerMspId: string;
  grantedFields: string[];
  status: ConsentStatus;
  requestedAt: string;
  updatedAt: string;
  /** When the citizen decided (approved or rejected). */
  decidedAt?: string;
}

/** The lifecycle: which action moves a consent from which statuses to which. */
export const CONSENT_TRANSITIONS: Readonly<Record<ConsentAction, { from: readonly ConsentStatus[]; to: ConsentStatus }>> = {
  approve: { from: ['REQUESTED'], to: 'ACTIVE' },
  reject: { from: ['REQUESTED'], to: 'REJECTED' },
  pause: { from: ['ACTIVE'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'ACTIVE' },
  revoke: { from: ['ACTIVE', 'PAUSED'], to: 'REVOKED' },
  expire: { from: ['ACTIVE', 'PAUSED'], to: 'EXPIRED' },
};

export function newConsent(request: ConsentRequest, consumerMspId: string, at: string): Consent {
  return { ...request, consumerMspId, grantedFields: [], status: 'REQUESTED', requestedAt: at, updatedAt: at };
}

/**
 * Applies a lifecycle action at transaction time `at`. Approval grants all requested fields or the
 * given subset; expiry is only possible once the validity window has closed.
 */
export function transitionConsent(consent: Consent, action: ConsentAction, at: string, grantedFields?: readonly string[]): Consent {
  const rule = CONSENT_TRANSITIONS[action];
  if (!rule.from.includes(consent.status)) {
    throw new ChaincodeError('illegal_transition', `cannot ${action} a consent that is ${consent.status}`);
  }
  const next: Consent = { ...consent, status: rule.to, updatedAt: at };
  if (action === 'approve') {
    if (Date.parse(at) >= Date.parse(consent.validUntil)) {
      throw new ChaincodeError('illegal_transition', 'cannot approve a consent whose validity window has already closed');
    }
    const granted = grantedFields ?? consent.requestedFields;
    const notRequested = granted.filter((f) => !consent.requestedFields.includes(f));
    if (granted.length === 0) throw new ChaincodeError('invalid_argument', 'an approval grants at least one field; reject the request instead');
    if (notRequested.length > 0) throw new ChaincodeError('invalid_argument', `fields never requested cannot be granted: ${notRequested.join(', ')}`);
    next.grantedFields = consent.requestedFields.filter((f) => granted.includes(f));
  }
  if (action === 'approve' || action === 'reject') next.decidedAt = at;
  if (action === 'expire' && Date.parse(at) < Date.parse(consent.validUntil)) {
    throw new ChaincodeError('illegal_transition', `consent is valid until ${consent.validUntil}; it cannot expire before`);
  }
  return next;
}

export type DenialReason = 'not_active' | 'expired' | 'not_yet_valid' | 'purpose_mismatch' | 'field_not_granted' | 'frequency_exceeded' | 'wrong_consumer';

export type UseDecision = { allowed: true } | { allowed: false; reason: DenialReason; detail: string };

export interface UseRequest {
  consumerOrgId: string;
  purpose: string;
  fields: readonly string[];
  at: string;
}

/**
 * May this consumer read these fields for this purpose now? Checked in a fixed order so the reason is
 * stable: consumer, status, validity window, purpose, fields, then frequency. `usesInPeriod` counts
 * the reads already made in the period that `usagePeriod` names for this consent and time.
 */
export function checkUse(consent: Consent, request: UseRequest, usesInPeriod: number): UseDecision {
  const deny = (reason: DenialReason, detail: string): UseDecision => ({ allowed: false, reason, detail });
  if (request.consumerOrgId !== consent.consumerOrgId) return deny('wrong_consumer', 'the consent was given to another organisation');
  if (consent.status === 'EXPIRED') return deny('expired', `the consent expired (valid until ${consent.validUntil})`);
  if (consent.status !== 'ACTIVE') return deny('not_active', `the consent is ${consent.status}`);
  const at = Date.parse(request.at);
  if (at >= Date.parse(consent.validUntil)) return deny('expired', `the consent was valid until ${consent.validUntil}`);
  if (at < Date.parse(consent.validFrom)) return deny('not_yet_valid', `the consent is valid from ${consent.validFrom}`);
  if (request.purpose !== consent.purpose) return deny('purpose_mismatch', `the consent is for ${consent.purpose}, not ${request.purpose}`);
  const notGranted = request.fields.filter((f) => !consent.grantedFields.includes(f));
  if (notGranted.length > 0) return deny('field_not_granted', `not granted: ${notGranted.join(', ')}`);
  const limit = consent.accessMode.mode === 'ONCE' ? 1 : consent.accessMode.limit;
  if (usesInPeriod >= limit) {
    const per = consent.accessMode.mode === 'ONCE' ? 'in all' : `per ${consent.accessMode.per.toLowerCase()}`;
    return deny('frequency_exceeded', `${limit} use${limit === 1 ? '' : 's'} ${per} allowed, ${usesInPeriod} made`);
  }
  return { allowed: true };
}

/** Vietnam keeps UTC+7 all year (no daylight saving), so days and months are counted in that zone. */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** The usage period a read at `at` counts against: `once`, a Vietnamese calendar day, or month. */
export function usagePeriod(mode: AccessModeValue, at: string): string {
  if (mode.mode === 'ONCE') return 'once';
  const local = new Date(Date.parse(at) + VIETNAM_OFFSET_MS).toISOString();
  return mode.per === 'DAY' ? local.slice(0, 10) : local.slice(0, 7);
}
