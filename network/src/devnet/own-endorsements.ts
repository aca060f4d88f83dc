/**
 * Endorsements this devnet's peers signed themselves, remembered until their transaction is
 * validated. Verifying our own signature over the same bytes can only succeed, so the committer may
 * skip that ECDSA verification (two of a MAJORITY transaction's five) when the signature, the
 * endorser and the signed payload are byte for byte the ones signed. Anything else (an endorsement
 * from elsewhere, or bytes changed after endorsement) is verified as before.
 */
export class OwnEndorsements {
  private readonly signed = new Map<string, { endorser: Uint8Array; responsePayload: Uint8Array }>();

  /** `limit` bounds memory when endorsed transactions are never submitted. */
  constructor(private readonly limit = 20_000) {}

  remember(signature: Uint8Array, endorser: Uint8Array, responsePayload: Uint8Array): void {
    if (this.signed.size >= this.limit) this.signed.delete(this.signed.keys().next().value as string);
    this.signed.set(Buffer.from(signature).toString('base64'), { endorser, responsePayload });
  }

  /** Whether this exact endorsement was signed here; forgets it, as a transaction is validated once. */
  take(signature: Uint8Array, endorser: Uint8Array, responsePayload: Uint8Array): boolean {
    const key = Buffer.from(signature).toString('base64');
    const own = this.signed.get(key);
    if (!own) return false;
    this.signed.delete(key);
    return Buffer.from(own.endorser).equals(endorser) && Buffer.from(own.responsePayload).equals(responsePayload);
  }
}
