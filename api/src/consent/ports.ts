import type { JWK } from 'jose';

/** What the consent capability asks of the ledger: submit a consent transaction and learn its id once committed; read a consent back. */
export interface ConsentLedger {
  submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string }>;
  /** As `submitWithReceipt`, with a transient map the peers see but the transaction does not keep (a device-signed decision's assertion). */
  submitTransientWithReceipt?(
    contract: string,
    fn: string,
    args: string[],
    transient: Record<string, string>,
  ): Promise<{ result: Uint8Array; transactionId: string }>;
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

/** Tells the consumer of a status change (webhooks). */
export type ConsentNotifier = (organizationId: string, eventType: string, data: Record<string, unknown>) => Promise<void>;

/** An organisation as the consent story sees it: who it is, whether it may ask for consent, and the keys a read is encrypted to. */
export interface ConsentParty {
  id: string;
  name: string;
  roles: readonly string[];
  jwks: { keys: JWK[] };
}

/** How a committed decision was authenticated: the citizen's passkey, or the session (or token) alone. */
export interface DecisionEvidenceRecord {
  transactionId: string;
  consentId: string;
  action: string;
  method: 'passkey' | 'session';
  /** Passkey decisions: what the device signed, its assertion, and the log leaf that records both hashes. */
  statement?: unknown;
  assertion?: unknown;
  leafIndex?: number;
  logEntry?: Record<string, unknown>;
  at: Date;
}

/** Keeps how each decision was authenticated (the passkeys capability's table). */
export interface DecisionEvidenceLog {
  record(evidence: DecisionEvidenceRecord): Promise<void>;
}
