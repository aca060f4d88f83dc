import type { ProductStatus } from '@citizen-vault/chaincode/rules';
import type { PrelistingFlag } from './prelisting-check.js';
import type { PlanValue, ProductSpec, TermsValue } from './product-schemas.js';

export interface ProductRow {
  id: string;
  provider_org_id: string;
  provider_name: string;
  /** The provider organisation's status: a suspended provider's products are neither licensed nor served. */
  provider_status: 'VERIFIED' | 'SUSPENDED';
  kind: 'AGGREGATE' | 'CONSENTED' | 'DATASET';
  status: ProductStatus;
  title: { vi: string; en: string };
  description: { vi: string; en: string };
  output_schema: Record<string, unknown>;
  terms: TermsValue;
  plans: PlanValue[];
  spec: ProductSpec;
  description_hash: string;
  terms_hash: string | null;
  prelisting_flags: PrelistingFlag[];
  rejection_reason: string | null;
  on_ledger: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface LicenceRow {
  id: string;
  product_id: string;
  buyer_org_id: string;
  plan_id: string;
  plan: PlanValue;
  purpose: string;
  status: 'ACTIVE' | 'CANCELLED';
  quota: TermsValue['quota'];
  terms_hash: string;
  valid_from: Date;
  valid_until: Date;
  privacy_budget_micro: string | null;
  privacy_spent_micro: string;
  issued_at: Date;
  updated_at: Date;
}

export interface CatalogueQuery {
  q?: string;
  kind?: ProductRow['kind'];
  statuses: readonly ProductStatus[];
  providerOrgId?: string;
  limit: number;
  offset: number;
}
