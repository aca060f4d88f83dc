/** Every error the SDK throws. `code` is the API's stable problem code (or a transport code). */
export class CitizenVaultError extends Error {
  override name = 'CitizenVaultError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | undefined,
    readonly requestId: string | undefined,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class InvalidRequestError extends CitizenVaultError {
  override name = 'InvalidRequestError';
}
export class AuthenticationError extends CitizenVaultError {
  override name = 'AuthenticationError';
}
export class PermissionError extends CitizenVaultError {
  override name = 'PermissionError';
}
export class NotFoundError extends CitizenVaultError {
  override name = 'NotFoundError';
}
export class ConflictError extends CitizenVaultError {
  override name = 'ConflictError';
}
/** The consent is not ACTIVE (requested, paused, rejected or revoked). */
export class ConsentNotActiveError extends CitizenVaultError {
  override name = 'ConsentNotActiveError';
}
/** The consent's validity window has closed, or has not opened yet. */
export class ConsentExpiredError extends CitizenVaultError {
  override name = 'ConsentExpiredError';
}
/** A field was asked for that the citizen did not grant, or the purpose differs. */
export class ConsentScopeError extends CitizenVaultError {
  override name = 'ConsentScopeError';
}
/** The consent's frequency limit (or its single use) is spent for now. */
export class RateLimitError extends CitizenVaultError {
  override name = 'RateLimitError';
}
/** The licence's quota is spent for its window (the month, the day or the whole licence). */
export class QuotaExceededError extends CitizenVaultError {
  override name = 'QuotaExceededError';
}
/** The licence has spent its differential-privacy budget: no more statistics under it. */
export class PrivacyBudgetExhaustedError extends CitizenVaultError {
  override name = 'PrivacyBudgetExhaustedError';
}
/** The licence cannot be used now: cancelled, expired, not yet valid, or its product is suspended or delisted. */
export class LicenceNotUsableError extends CitizenVaultError {
  override name = 'LicenceNotUsableError';
}
export class ServiceUnavailableError extends CitizenVaultError {
  override name = 'ServiceUnavailableError';
}
/** The network failed, or the API took longer than the timeout. */
export class ConnectionError extends CitizenVaultError {
  override name = 'ConnectionError';
}
/** A response that does not decrypt or whose vault signature does not verify. */
export class IntegrityError extends CitizenVaultError {
  override name = 'IntegrityError';
}

type ErrorClass = new (message: string, code: string, status: number | undefined, requestId: string | undefined, details?: Record<string, unknown>) => CitizenVaultError;

const BY_CODE: Record<string, ErrorClass> = {
  invalid_request: InvalidRequestError,
  invalid_json: InvalidRequestError,
  payload_too_large: InvalidRequestError,
  idempotency_key_reused: InvalidRequestError,
  unauthorized: AuthenticationError,
  forbidden: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  illegal_transition: ConflictError,
  consent_not_active: ConsentNotActiveError,
  consent_expired: ConsentExpiredError,
  consent_not_yet_valid: ConsentExpiredError,
  purpose_mismatch: ConsentScopeError,
  field_not_granted: ConsentScopeError,
  frequency_exceeded: RateLimitError,
  quota_exceeded: QuotaExceededError,
  privacy_budget_exhausted: PrivacyBudgetExhaustedError,
  licence_not_active: LicenceNotUsableError,
  licence_expired: LicenceNotUsableError,
  licence_not_yet_valid: LicenceNotUsableError,
  product_not_serving: LicenceNotUsableError,
  purpose_not_permitted: PermissionError,
  prelisting_check_failed: InvalidRequestError,
  not_available: ServiceUnavailableError,
  ledger_unavailable: ServiceUnavailableError,
  database_unavailable: ServiceUnavailableError,
  idempotency_key_in_use: ConflictError,
};

/** The typed error for an API problem+json answer, chosen by its `code`. */
export function errorFromProblem(status: number, problem: Record<string, unknown>, requestId: string | undefined): CitizenVaultError {
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  const Class = BY_CODE[code] ?? (status >= 500 ? ServiceUnavailableError : CitizenVaultError);
  const { type: _t, title: _ti, status: _s, code: _c, detail, instance: _i, requestId: _r, ...details } = problem;
  return new Class(typeof detail === 'string' ? detail : `HTTP ${status}`, code, status, requestId, details);
}
