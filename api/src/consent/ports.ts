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
  /** Passkey decisions: the consent artefact (JWS) as the decision left it, signed then. */
  artefactJws?: string;
  at: Date;
}

/** Keeps how each decision was authenticated (the passkeys capability's table). */
export interface DecisionEvidenceLog {
  record(evidence: DecisionEvidenceRecord): Promise<void>;
}

/** A notice version a consent's artefact names: what the citizen was shown (issue 17 item 4). */
export interface NoticeRef {
  kind: 'purpose' | 'field' | 'organization';
  /** A purpose code, a field path or an organisation id. */
  key: string;
  version: number;
  /** SHA-256 (hex) of the version's canonical JSON: the artefact hash covers the exact text through it. */
  hash: string;
}

/** What a consent request is about, as far as its notices go. */
export interface NoticeScope {
  purpose: string;
  fields: readonly string[];
  consumerOrgId: string;
}

/**
 * The notices capability as the consent story needs it: which versions a new request shows, which
 * material versions replaced what a consent showed, and the re-consent a material change asked for.
 */
export interface ConsentNotices {
  /** The current version of the purpose's text, of each field's description and of the consumer's own notice (if it has one). */
  current(scope: NoticeScope): Promise<NoticeRef[]>;
  /** The material versions published after the ones `shown` names, for this scope: an approval of `shown` would consent to outdated text. */
  outdated(scope: NoticeScope, shown: readonly NoticeRef[]): Promise<NoticeRef[]>;
  /** The consent a successor request was made to replace, if its re-consent is still open. */
  predecessorOf(successorId: string): Promise<string | undefined>;
  /** Closes the re-consent of `consentId`: the citizen answered its successor, or the consent ended. */
  resolveReconsent(consentId: string, resolution: 'reconsented' | 'declined' | 'ended'): Promise<void>;
}
