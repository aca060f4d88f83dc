/** Stable codes for what the ledger-format functions refuse. */
export type LedgerFormatErrorCode = 'malformed' | 'unsupported_key';

export class LedgerFormatError extends Error {
  override readonly name = 'LedgerFormatError';
  constructor(
    readonly code: LedgerFormatErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
