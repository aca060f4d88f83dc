/** The API's answers as the portal reads them (see /openapi.json); the SDK's types where it has them. */

export type { Consent, ConsentStatus, Organization, SignedTreeHead } from '@citizen-vault/sdk';

export interface CitizenRecord {
  id: string;
  category: string;
  version: number;
  custodian: { id: string; name: string };
  fields: Record<string, unknown>;
  depositedAt: string;
}

export interface AccessEvent {
  id: string;
  consentId: string;
  consumer: { id: string; name: string };
  purpose: string;
  fields: string[];
  outcome: 'GRANTED' | 'DENIED';
  reason: string | null;
  at: string;
  /** Present once the audit log has landed: the entry's position in the log, null until sequenced. */
  leafIndex?: number | null;
  logEntry?: string;
}

export interface BlockSummary {
  number: number;
  hash: string;
  previousHash: string;
  dataHash: string;
  transactionCount: number;
}

export interface BlockTransaction {
  id: string;
  validationCode: string;
  chaincode: string;
  function: string;
  mspId: string;
  timestamp: string;
}
