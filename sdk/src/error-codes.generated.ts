// Generated from api/src/errors/catalog.ts by `npm run generate:errors`. Do not edit: change the catalog and run it again.

/** Every error code the Citizen Vault API answers (its OpenAPI document lists them under `x-error-codes`). */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'illegal_transition'
  | 'not_available'
  | 'ledger_unavailable'
  | 'ledger_error'
  | 'consent_not_active'
  | 'consent_expired'
  | 'consent_not_yet_valid'
  | 'purpose_mismatch'
  | 'field_not_granted'
  | 'frequency_exceeded'
  | 'not_acceptable'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'database_unavailable'
  | 'quota_exceeded'
  | 'privacy_budget_exhausted'
  | 'product_not_serving'
  | 'prelisting_check_failed'
  | 'licence_not_active'
  | 'licence_not_yet_valid'
  | 'licence_expired'
  | 'purpose_not_permitted'
  | 'buyer_not_verified'
  | 'csrf_token_invalid'
  | 'rate_limited'
  | 'internal'
  | 'extension_already_used'
  | 'deadline_passed'
  | 'passkey_required'
  | 'passkey_challenge_invalid'
  | 'passkey_assertion_invalid'
  | 'passkey_registration_invalid'
  | 'evidence_not_ready';

/** The typed error each API code is thrown as, chosen by the code's kind. */
export const ERROR_CLASS_BY_CODE = {
  invalid_request: 'InvalidRequestError',
  invalid_json: 'InvalidRequestError',
  payload_too_large: 'InvalidRequestError',
  unauthorized: 'AuthenticationError',
  forbidden: 'PermissionError',
  not_found: 'NotFoundError',
  conflict: 'ConflictError',
  illegal_transition: 'ConflictError',
  not_available: 'ServiceUnavailableError',
  ledger_unavailable: 'ServiceUnavailableError',
  ledger_error: 'ServiceUnavailableError',
  consent_not_active: 'ConsentNotActiveError',
  consent_expired: 'ConsentExpiredError',
  consent_not_yet_valid: 'ConsentExpiredError',
  purpose_mismatch: 'ConsentScopeError',
  field_not_granted: 'ConsentScopeError',
  frequency_exceeded: 'RateLimitError',
  not_acceptable: 'InvalidRequestError',
  idempotency_key_reused: 'InvalidRequestError',
  idempotency_key_in_use: 'ConflictError',
  database_unavailable: 'ServiceUnavailableError',
  quota_exceeded: 'QuotaExceededError',
  privacy_budget_exhausted: 'PrivacyBudgetExhaustedError',
  product_not_serving: 'LicenceNotUsableError',
  prelisting_check_failed: 'InvalidRequestError',
  licence_not_active: 'LicenceNotUsableError',
  licence_not_yet_valid: 'LicenceNotUsableError',
  licence_expired: 'LicenceNotUsableError',
  purpose_not_permitted: 'PermissionError',
  buyer_not_verified: 'PermissionError',
  csrf_token_invalid: 'PermissionError',
  rate_limited: 'RateLimitError',
  internal: 'ServiceUnavailableError',
  extension_already_used: 'ConflictError',
  deadline_passed: 'ConflictError',
  passkey_required: 'ConflictError',
  passkey_challenge_invalid: 'ConflictError',
  passkey_assertion_invalid: 'PermissionError',
  passkey_registration_invalid: 'InvalidRequestError',
  evidence_not_ready: 'ConflictError',
} as const satisfies Record<ErrorCode, string>;
