import { LedgerFormatError, parseTransaction as parseEnvelope, type ParsedTransaction as FormatTransaction } from '@citizen-vault/ledger-format';
import { DevnetError } from './errors.js';

/** An endorser transaction envelope, unpacked once when it reaches the orderer. */
export interface ParsedTransaction extends FormatTransaction {
  /**
   * Set by the orderer once it has checked the creator's signature; the committer, in the same
   * process, then need not verify the same bytes again.
   */
  creatorSignatureVerified?: boolean;
}

/** Unpacks a signed endorser transaction, or throws `invalid_argument` naming the malformed part. */
export function parseTransaction(envelopeBytes: Uint8Array): ParsedTransaction {
  try {
    return parseEnvelope(envelopeBytes);
  } catch (err) {
    if (err instanceof LedgerFormatError) throw new DevnetError('invalid_argument', err.message, { cause: err.cause });
    throw err;
  }
}
