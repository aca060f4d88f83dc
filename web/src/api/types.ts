/** The API's answers as the portal reads them (see /openapi.json). */

export type ConsentStatus = 'REQUESTED' | 'ACTIVE' | 'REJECTED' | 'PAUSED' | 'REVOKED' | 'EXPIRED';

export interface Consent {
  id: string;
  status: ConsentStatus;
  subjectId: string;
  consumer: { id: string; name: string };
  purpose: string;
  requestedFields: string[];
  grantedFields: string[];
  mode: 'ONCE' | 'PERIODIC';
  frequency?: { limit: number; per: string };
  validFrom: string;
  validUntil: string;
  retentionDays: number;
  onwardTransfer: boolean;
  crossBorder: boolean;
  justification: string;
  requestedAt: string;
  decidedAt: string | null;
}

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

export interface Organization {
  id: string;
  name: string;
  registrationNumber: string;
  roles: string[];
  status: 'VERIFIED' | 'SUSPENDED';
  createdAt: string;
}

export interface SignedTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  signature: string;
  keyId: string;
  anchor: { transactionId: string; blockNumber: number } | null;
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
