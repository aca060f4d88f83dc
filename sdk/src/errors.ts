import { ERROR_CLASS_BY_CODE, type ErrorCode } from './error-codes.generated.js';

export type { ErrorCode } from './error-codes.generated.js';

/**
 * Codes the SDK gives to failures the API did not name: the network or a timeout (`connection_failed`),
 * data that does not decrypt or verify, and an answer without a problem code (`http_<status>`).
 */
export type ClientErrorCode = 'connection_failed' | 'decryption_failed' | 'signature_invalid' | `http_${number}`;

/**
 * Every error the SDK throws. `code` is the API's stable problem code (an {@link ErrorCode}), a
 * {@link ClientErrorCode}, or a code a newer API added after this SDK was built.
 *
 * @example
 * try { await vault.consents.readData(id); } catch (err) {
 *   if (err instanceof CitizenVaultError && err.code === 'consent_expired') askAgain();
 * }
 */
export class CitizenVaultError extends Error {
  override name = 'CitizenVaultError';
  constructor(
    message: string,
    readonly code: ErrorCode | ClientErrorCode | (string & Record<never, never>),
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

type ErrorClass = new (
  message: string,
  code: string,
  status: number | undefined,
  requestId: string | undefined,
  details?: Record<string, unknown>,
) => CitizenVaultError;

/** The classes the generated table names, by name (the API's catalog says which code is which kind). */
const CLASSES: Record<(typeof ERROR_CLASS_BY_CODE)[ErrorCode], ErrorClass> = {
  InvalidRequestError,
  AuthenticationError,
  PermissionError,
  NotFoundError,
  ConflictError,
  ConsentNotActiveError,
  ConsentExpiredError,
  ConsentScopeError,
  RateLimitError,
  QuotaExceededError,
  PrivacyBudgetExhaustedError,
  LicenceNotUsableError,
  ServiceUnavailableError,
};

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CLASS_BY_CODE, code);
}

/** At most this many of a schema error's fields are named in its message; `details.errors` has them all. */
const FIELDS_IN_MESSAGE = 5;

/**
 * The API's detail, and for a request that does not match its schema, which fields and why:
 * "the request does not match its schema: /purpose: Invalid option…; /validUntil: …".
 */
function messageOf(status: number, detail: unknown, errors: unknown): string {
  const message = typeof detail === 'string' ? detail : `HTTP ${status}`;
  if (!Array.isArray(errors)) return message;
  const named: string[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null || !('path' in e) || typeof e.path !== 'string') continue;
    named.push('message' in e && typeof e.message === 'string' ? `${e.path}: ${e.message}` : e.path);
  }
  if (named.length === 0) return message;
  const more = named.length > FIELDS_IN_MESSAGE ? `; and ${named.length - FIELDS_IN_MESSAGE} more` : '';
  return `${message}: ${named.slice(0, FIELDS_IN_MESSAGE).join('; ')}${more}`;
}

/** The typed error for an API problem+json answer, chosen by its `code`. */
export function errorFromProblem(status: number, problem: Record<string, unknown>, requestId: string | undefined): CitizenVaultError {
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  // A code this SDK does not know yet (a newer API) is still typed by its status where that is unambiguous.
  const Class = isErrorCode(code) ? CLASSES[ERROR_CLASS_BY_CODE[code]] : status >= 500 ? ServiceUnavailableError : CitizenVaultError;
  const { type: _t, title: _ti, status: _s, code: _c, detail, instance: _i, requestId: _r, ...details } = problem;
  return new Class(messageOf(status, detail, details.errors), code, status, requestId, details);
}
