import { API_ERROR_CODES, type ApiErrorCode } from '../i18n/api-errors.generated';
import type { MessageKey } from '../i18n/i18n';
import { ApiProblem } from './client';

const API_CODES: ReadonlySet<string> = new Set(API_ERROR_CODES);
const isApiErrorCode = (code: string): code is ApiErrorCode => API_CODES.has(code);

/** Codes the portal gives to failures the API did not name (see `problemOf` in ./client). */
const PORTAL_CODES: Record<string, MessageKey> = {
  network: 'error.network',
  http_429: 'error.rate_limited',
  passkey_device: 'passkeys.deviceRefused',
};

/** Every error code the API answers has its own sentence (generated from the API's catalog); anything else gets the generic one. */
export function errorMessageKey(err: unknown): MessageKey {
  if (!(err instanceof ApiProblem)) return 'error.generic';
  if (isApiErrorCode(err.code)) return `error.${err.code}`;
  return PORTAL_CODES[err.code] ?? 'error.generic';
}

/** A route this API does not have (yet): the exchange lands later, and an older API may lack the audit routes. */
export function isMissingFeature(err: unknown): boolean {
  return err instanceof ApiProblem && err.status === 404 && err.code === 'not_found' && err.detail.startsWith('no route for');
}
