import type { ErrorCode } from './catalog.js';

/** The one error the API's capabilities throw: a stable code from the catalog, a detail for people, and extra fields for the answer. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/**
 * An adapter's own error that knows which domain error it is (the ledger's refusals, say): the
 * error handler asks it, so the HTTP layer never imports the adapter.
 */
export interface ConvertibleError {
  toDomainError(): DomainError;
}

export function isConvertibleError(err: unknown): err is ConvertibleError {
  return typeof err === 'object' && err !== null && typeof (err as Partial<ConvertibleError>).toDomainError === 'function';
}
