import type { JWK } from 'jose';

/** What the consent capability asks of the ledger: submit a consent transaction and learn its id once committed; read a consent back. */
export interface ConsentLedger {
  submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string }>;
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
