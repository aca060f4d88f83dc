/**
 * Every error code the API answers, with its HTTP status: the one vocabulary the error handler,
 * the OpenAPI document, the SDK and the portal share. The domain names a code; only the HTTP
 * error handler turns it into a status.
 */
export const ERROR_CATALOG = {
  invalid_request: { status: 400 },
  invalid_json: { status: 400 },
  payload_too_large: { status: 413 },
  unauthorized: { status: 401 },
  forbidden: { status: 403 },
  not_found: { status: 404 },
  conflict: { status: 409 },
  illegal_transition: { status: 409 },
  not_available: { status: 503 },
  ledger_unavailable: { status: 503 },
  ledger_error: { status: 502 },
  consent_not_active: { status: 403 },
  consent_expired: { status: 403 },
  consent_not_yet_valid: { status: 403 },
  purpose_mismatch: { status: 403 },
  field_not_granted: { status: 403 },
  frequency_exceeded: { status: 429 },
  not_acceptable: { status: 406 },
  idempotency_key_reused: { status: 422 },
  idempotency_key_in_use: { status: 409 },
  database_unavailable: { status: 503 },
  quota_exceeded: { status: 429 },
  privacy_budget_exhausted: { status: 403 },
  product_not_serving: { status: 403 },
  prelisting_check_failed: { status: 422 },
  licence_not_active: { status: 403 },
  licence_not_yet_valid: { status: 403 },
  licence_expired: { status: 403 },
  purpose_not_permitted: { status: 403 },
  buyer_not_verified: { status: 403 },
  csrf_token_invalid: { status: 403 },
  rate_limited: { status: 429 },
  internal: { status: 500 },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
