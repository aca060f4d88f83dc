import type { LicenceRow, ProductRow } from './product-records.js';

/** A product as the catalogue shows it; the pre-listing flags only to its provider and the operator. */
export function productView(p: ProductRow, internal: boolean) {
  return {
    id: p.id,
    status: p.status,
    kind: p.kind,
    provider: { id: p.provider_org_id, name: p.provider_name },
    title: p.title,
    description: p.description,
    outputSchema: p.output_schema,
    terms: p.terms,
    plans: p.plans,
    ...p.spec,
    termsHash: p.terms_hash,
    descriptionHash: p.description_hash,
    ...(internal ? { prelistingFlags: p.prelisting_flags, rejectionReason: p.rejection_reason } : {}),
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}

const MICRO = 1_000_000;

export function licenceView(l: LicenceRow) {
  const budget = l.privacy_budget_micro === null ? null : Number(l.privacy_budget_micro);
  const spent = Number(l.privacy_spent_micro);
  return {
    id: l.id,
    productId: l.product_id,
    buyerOrgId: l.buyer_org_id,
    planId: l.plan_id,
    plan: l.plan,
    purpose: l.purpose,
    status: l.status,
    quota: l.quota,
    termsHash: l.terms_hash,
    validFrom: l.valid_from.toISOString(),
    validUntil: l.valid_until.toISOString(),
    privacyBudget: budget === null ? null : { epsilon: budget / MICRO, spent: spent / MICRO, remaining: Math.max(0, budget - spent) / MICRO },
    issuedAt: l.issued_at.toISOString(),
    updatedAt: l.updated_at.toISOString(),
  };
}
