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

type Localized = { vi: string; en: string };

export interface Product {
  id: string;
  status: string;
  kind: 'AGGREGATE' | 'CONSENTED' | 'DATASET';
  provider: { id: string; name: string };
  title: Localized;
  description: Localized;
  terms: {
    permittedPurposes: string[];
    durationDays: number;
    prohibitedActions: string[];
    crossBorder: boolean;
    quota: { units: number; per: string } | null;
    minCohortSize?: number;
  };
  plans: { id: string; kind: string; priceDong: string; includedUnits?: number }[];
  prelistingFlags?: { code: string; severity: 'block' | 'warn' }[];
  createdAt: string;
}

export interface Licence {
  id: string;
  productId: string;
  planId: string;
  plan: { kind: string; priceDong: string; includedUnits?: number };
  purpose: string;
  status: string;
  quota: { units: number; per: string } | null;
  validFrom: string;
  validUntil: string;
  privacyBudget: { epsilon: number; spent: number; remaining: number } | null;
}

export interface LicenceUsage {
  licence: Licence;
  periods: { period: string; calls: number; units: number; amountDong: string }[];
}

export interface Invoice {
  licenceId: string;
  productId: string;
  period: string;
  units: number;
  usageDong: string;
  subscriptionDong: string;
  totalDong: string;
  split: { provider: string; operator: string; stateBudget: string; citizens: string };
  status: 'OPEN' | 'ANCHORED';
}
