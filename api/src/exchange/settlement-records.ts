import type { PlanValue } from './product-schemas.js';

export interface PeriodUsageRow {
  licence_id: string;
  product_id: string;
  kind: string;
  buyer_org_id: string;
  provider_org_id: string;
  plan: PlanValue;
  status: 'ACTIVE' | 'CANCELLED';
  valid_from: Date;
  valid_until: Date;
  updated_at: Date;
  calls: number;
  units: string;
  usage_dong: string;
  statement_units: string | null;
  statement_amount: string | null;
  anchor_tx_id: string | null;
  anchored_at: Date | null;
}
