import type { DecisionEvidenceLog, DecisionEvidenceRecord } from '../consent/index.js';

/** A registered passkey: public material only. */
export interface PasskeyCredential {
  id: string;
  subjectId: string;
  /** The key as the authenticator gave it (COSE), for WebAuthn verification. */
  cosePublicKey: Uint8Array;
  /** The same key as SPKI DER: what the ledger and the evidence package hash and check. */
  publicKey: Uint8Array;
  publicKeyHash: string;
  signCount: number;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A one-time WebAuthn challenge and what it was issued for. */
export interface PasskeyChallenge {
  challenge: string;
  subjectId: string;
  purpose: 'register' | 'decide';
  consentId: string | null;
  statement: unknown;
  expiresAt: Date;
  usedAt: Date | null;
}

export type PasskeyEventKind = 'passkey-added' | 'passkey-removed' | 'passkey-refused';

export interface PasskeyEvent {
  id: string;
  at: string;
  event: PasskeyEventKind;
  subjectId: string;
  credentialId: string | null;
  reason: string | null;
}

/** A committed decision and how it was authenticated. */
export interface StoredDecision extends DecisionEvidenceRecord {
  leafIndex?: number;
}

/** The parts of a WebAuthn assertion that make it the one the device produced (what a retry must repeat exactly). */
export interface AssertionIdentity {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
}

/** The passkeys capability's storage: credentials, one-time challenges, decision evidence and audit events. */
export interface PasskeyStore extends DecisionEvidenceLog {
  addCredential(c: PasskeyCredential): Promise<void>;
  credentials(subjectId: string): Promise<PasskeyCredential[]>;
  credential(id: string): Promise<(PasskeyCredential & { removed: boolean }) | undefined>;
  removeCredential(subjectId: string, id: string, at: Date): Promise<boolean>;
  touchCredential(id: string, signCount: number, at: Date): Promise<void>;
  issueChallenge(c: Omit<PasskeyChallenge, 'usedAt'>): Promise<void>;
  /** Marks the challenge used and answers it, if it was unused and unexpired at `at`; otherwise answers what it was (or nothing). */
  consumeChallenge(challenge: string, at: Date): Promise<{ consumed: PasskeyChallenge } | { refused: PasskeyChallenge | undefined }>;
  decisions(consentIds: string[]): Promise<StoredDecision[]>;
  decision(consentId: string, transactionId?: string): Promise<StoredDecision | undefined>;
  /** The committed device-signed decision on this consent made with exactly this assertion, if there is one. */
  decisionByAssertion(consentId: string, assertion: AssertionIdentity): Promise<StoredDecision | undefined>;
  recordEvent(event: Omit<PasskeyEvent, 'id' | 'at'>, at: Date): Promise<void>;
  events(limit: number, cursor?: string): Promise<{ items: PasskeyEvent[]; nextCursor: string }>;
}
