/** Stable codes for everything the devnet refuses; the gateway service maps them to gRPC status codes. */
export type DevnetErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'permission_denied'
  | 'bad_signature'
  | 'unknown_identity'
  | 'duplicate_txid'
  | 'chaincode_failed'
  | 'endorsement_mismatch'
  | 'endorsement_unsatisfiable'
  | 'not_supported'
  | 'corrupt_ledger'
  | 'config'
  | 'unavailable';

export class DevnetError extends Error {
  override readonly name = 'DevnetError';
  constructor(
    readonly code: DevnetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
