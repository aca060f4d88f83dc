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
  rate_limited: 'error.rate_limited',
  idempotency_key_in_use: 'error.idempotency_key_in_use',
  database_unavailable: 'error.database_unavailable',
  // The exchange's codes (issue 7), so its refusals have words as soon as it is on the server.
  quota_exceeded: 'error.quota_exceeded',
  privacy_budget_exhausted: 'error.privacy_budget_exhausted',
  product_not_serving: 'error.product_not_serving',
  prelisting_check_failed: 'error.prelisting_check_failed',
  licence_not_active: 'error.licence_not_active',
  licence_not_yet_valid: 'error.licence_not_yet_valid',
  licence_expired: 'error.licence_expired',
  purpose_not_permitted: 'error.purpose_not_permitted',
  buyer_not_verified: 'error.buyer_not_verified',
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
