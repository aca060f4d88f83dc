import type { MessageKey } from '../i18n/i18n';
import { ApiProblem } from './client';

/** Every error code the API answers, in words a person understands; anything else gets the generic sentence. */
const BY_CODE: Record<string, MessageKey> = {
  invalid_request: 'error.invalid_request',
  invalid_json: 'error.invalid_request',
  payload_too_large: 'error.payload_too_large',
  unauthorized: 'error.unauthorized',
  forbidden: 'error.forbidden',
  not_found: 'error.not_found',
  conflict: 'error.conflict',
  illegal_transition: 'error.illegal_transition',
  not_available: 'error.not_available',
  ledger_unavailable: 'error.ledger_unavailable',
  ledger_error: 'error.ledger_unavailable',
  consent_not_active: 'error.consent_not_active',
  consent_expired: 'error.consent_expired',
  consent_not_yet_valid: 'error.consent_not_yet_valid',
  purpose_mismatch: 'error.purpose_mismatch',
  field_not_granted: 'error.field_not_granted',
  frequency_exceeded: 'error.frequency_exceeded',
  not_acceptable: 'error.not_acceptable',
  idempotency_key_reused: 'error.conflict',
  internal: 'error.internal',
  network: 'error.network',
  http_429: 'error.rate_limited',
};

export function errorMessageKey(err: unknown): MessageKey {
  if (err instanceof ApiProblem) return BY_CODE[err.code] ?? 'error.generic';
  return 'error.generic';
}

/** A route this API does not have (yet): the exchange lands later, and an older API may lack the audit routes. */
export function isMissingFeature(err: unknown): boolean {
  return err instanceof ApiProblem && err.status === 404 && err.code === 'not_found' && err.detail.startsWith('no route for');
}
