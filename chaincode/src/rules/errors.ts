/** Stable codes for every refusal; the API's ledger adapter maps them back from the `[code]` prefix. */
export type ChaincodeErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'forbidden'
  | 'illegal_transition'
  | 'product_not_listed'
  | 'buyer_not_verified'
  | 'purpose_not_permitted'
  | 'plan_not_found'
  | 'duration_exceeded'
  | 'anchor_not_monotonic'
  | 'anchor_not_consistent'
  | 'evidence_mismatch';

export class ChaincodeError extends Error {
  override readonly name = 'ChaincodeError';
  constructor(
    readonly code: ChaincodeErrorCode,
    readonly detail: string,
  ) {
    super(`[${code}] ${detail}`);
  }
}

/** Recovers the code and detail from a chaincode error message as it reaches a client (`... [code] detail`). */
export function parseChaincodeError(message: string): { code: ChaincodeErrorCode; detail: string } | undefined {
  const m = /\[([a-z_]+)\] ([\s\S]*)$/.exec(message);
  return m ? { code: m[1] as ChaincodeErrorCode, detail: m[2]! } : undefined;
}
