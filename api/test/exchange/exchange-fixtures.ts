import { randomUUID } from 'node:crypto';
import type { LicenceRow, ProductRow } from '../../src/exchange/product-records.js';
import type { ProductBodyValue } from '../../src/exchange/product-schemas.js';

type NewProduct = Omit<ProductRow, 'provider_name' | 'provider_status' | 'terms_hash' | 'rejection_reason' | 'on_ledger'>;

export const TERMS = {
  permittedPurposes: ['academic_research'],
  durationDays: 30,
  prohibitedActions: ['re_identification', 'resale'] as ('re_identification' | 'resale')[],
  crossBorder: false,
  attribution: true,
  quota: null,
  minCohortSize: 10,
};

/** A product row as the product service would insert it. */
export function productRow(providerOrgId: string, over: Partial<NewProduct> = {}): NewProduct {
  const at = over.created_at ?? new Date('2026-03-01T08:00:00.000Z');
  return {
    id: randomUUID(),
    provider_org_id: providerOrgId,
    kind: 'AGGREGATE',
    status: 'DRAFT',
    title: { vi: 'Thống kê dân số', en: 'Population statistics' },
    description: { vi: 'Số dân theo tỉnh.', en: 'Residents by province.' },
    output_schema: { type: 'object' },
    terms: TERMS,
    plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1000' }],
    spec: { aggregate: { dimensions: ['province', 'ageBand'] } },
    description_hash: 'd'.repeat(64),
    prelisting_flags: [],
    created_at: at,
    updated_at: at,
    ...over,
  };
}

/** A licence row as the product service writes it after the ledger issued it. */
export function licenceRow(productId: string, buyerOrgId: string, over: Partial<LicenceRow> = {}): LicenceRow {
  return {
    id: randomUUID(),
    product_id: productId,
    buyer_org_id: buyerOrgId,
    plan_id: 'per-query',
    plan: { id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1000' },
    purpose: 'academic_research',
    status: 'ACTIVE',
    quota: null,
    terms_hash: 't'.repeat(64),
    valid_from: new Date('2026-03-01T00:00:00.000Z'),
    valid_until: new Date('2026-03-31T00:00:00.000Z'),
    privacy_budget_micro: null,
    privacy_spent_micro: '0',
    issued_at: new Date('2026-03-01T00:00:00.000Z'),
    updated_at: new Date('2026-03-01T00:00:00.000Z'),
    ...over,
  };
}

/** A product body as a provider sends it (already parsed). */
export function aggregateBody(over: Partial<ProductBodyValue> = {}): ProductBodyValue {
  return {
    title: { vi: 'Thống kê dân số', en: 'Population statistics' },
    description: { vi: 'Số dân theo tỉnh.', en: 'Residents by province.' },
    kind: 'AGGREGATE',
    outputSchema: { type: 'object' },
    terms: TERMS,
    plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1000' }],
    aggregate: { dimensions: ['province', 'ageBand'] },
    ...over,
  };
}
