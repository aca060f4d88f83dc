import { ChaincodeError } from './errors.js';
import type { LicenceTermsValue, LicenceValue, OrganizationValue, ProductValue } from './schemas.js';

export type OrganizationStatus = 'VERIFIED' | 'SUSPENDED';
export interface Organization extends OrganizationValue {
  status: OrganizationStatus;
  registeredAt: string;
  updatedAt: string;
}

export type ProductStatus = 'DRAFT' | 'PENDING_REVIEW' | 'LISTED' | 'SUSPENDED' | 'DELISTED';
export type ProductAction = 'submit' | 'approve' | 'reject' | 'suspend' | 'reinstate' | 'delist';

export interface Product extends ProductValue {
  status: ProductStatus;
  /** SHA-256 of the canonical licence terms: what a licence commits to. */
  termsHash: string;
  /** Why the operator last sent it back, as a code. */
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** Listing lifecycle. The provider submits; only the operator approves, rejects, suspends, reinstates or delists. */
export const PRODUCT_TRANSITIONS: Readonly<Record<ProductAction, { from: readonly ProductStatus[]; to: ProductStatus; by: 'provider' | 'operator' }>> = {
  submit: { from: ['DRAFT'], to: 'PENDING_REVIEW', by: 'provider' },
  approve: { from: ['PENDING_REVIEW'], to: 'LISTED', by: 'operator' },
  reject: { from: ['PENDING_REVIEW'], to: 'DRAFT', by: 'operator' },
  suspend: { from: ['LISTED'], to: 'SUSPENDED', by: 'operator' },
  reinstate: { from: ['SUSPENDED'], to: 'LISTED', by: 'operator' },
  delist: { from: ['LISTED', 'SUSPENDED'], to: 'DELISTED', by: 'operator' },
};

export function transitionProduct(product: Product, action: ProductAction, at: string, rejectionReason?: string): Product {
  const rule = PRODUCT_TRANSITIONS[action];
  if (!rule.from.includes(product.status)) {
    throw new ChaincodeError('illegal_transition', `cannot ${action} a product that is ${product.status}`);
  }
  if (action === 'reject' && !rejectionReason) throw new ChaincodeError('invalid_argument', 'a rejection needs a reason');
  const next: Product = { ...product, status: rule.to, updatedAt: at };
  if (action === 'reject') next.rejectionReason = rejectionReason;
  else if (action === 'approve') delete next.rejectionReason;
  return next;
}

export type LicenceStatus = 'ACTIVE' | 'CANCELLED';
export interface Licence extends LicenceValue {
  status: LicenceStatus;
  termsHash: string;
  quota: LicenceTermsValue['quota'];
  issuedAt: string;
  updatedAt: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** The checks before a licence is issued: a listed product, a verified consumer, a permitted purpose, a real plan, the allowed duration. */
export function issueLicence(input: LicenceValue, product: Product, buyer: Organization | undefined, at: string): Licence {
  if (product.status !== 'LISTED') throw new ChaincodeError('product_not_listed', `product ${product.id} is ${product.status}`);
  if (!buyer || buyer.status !== 'VERIFIED' || !buyer.roles.includes('consumer')) {
    throw new ChaincodeError('buyer_not_verified', `organisation ${input.buyerOrgId} is not a verified consumer`);
  }
  if (!product.terms.permittedPurposes.includes(input.purpose)) {
    throw new ChaincodeError('purpose_not_permitted', `the product's licence does not permit ${input.purpose}`);
  }
  if (!product.plans.some((p) => p.id === input.planId)) throw new ChaincodeError('plan_not_found', `product ${product.id} has no plan ${input.planId}`);
  if (Date.parse(input.validUntil) - Date.parse(input.validFrom) > product.terms.durationDays * DAY_MS) {
    throw new ChaincodeError('duration_exceeded', `a licence for this product lasts at most ${product.terms.durationDays} days`);
  }
  return { ...input, status: 'ACTIVE', termsHash: product.termsHash, quota: product.terms.quota, issuedAt: at, updatedAt: at };
}

export type LicenceDenial =
  | 'licence_not_active'
  | 'licence_not_yet_valid'
  | 'licence_expired'
  | 'product_not_listed'
  | 'purpose_not_permitted'
  | 'action_prohibited'
  | 'cross_border_not_permitted'
  | 'quota_exceeded';

export type LicenceDecision = { allowed: true } | { allowed: false; reason: LicenceDenial; explanation: string };

export interface LicenceUse {
  purpose: string;
  at: string;
  units: number;
  /** Units already used in the quota's current period. */
  usedUnits: number;
  actions?: readonly string[];
  crossBorder?: boolean;
}

/** Evaluates one use against a licence and its product's terms, saying why when it refuses. */
export function evaluateLicenceUse(licence: Licence, product: Product, use: LicenceUse): LicenceDecision {
  const deny = (reason: LicenceDenial, explanation: string): LicenceDecision => ({ allowed: false, reason, explanation });
  const at = Date.parse(use.at);
  if (licence.status !== 'ACTIVE') return deny('licence_not_active', `the licence is ${licence.status}`);
  if (at < Date.parse(licence.validFrom)) return deny('licence_not_yet_valid', `the licence starts at ${licence.validFrom}`);
  if (at >= Date.parse(licence.validUntil)) return deny('licence_expired', `the licence ended at ${licence.validUntil}`);
  if (product.status !== 'LISTED') return deny('product_not_listed', `the product is ${product.status}`);
  if (use.purpose !== licence.purpose) return deny('purpose_not_permitted', `the licence is for ${licence.purpose}, not ${use.purpose}`);
  const prohibited = (use.actions ?? []).filter((a) => (product.terms.prohibitedActions as readonly string[]).includes(a));
  if (prohibited.length > 0) return deny('action_prohibited', `the terms prohibit ${prohibited.join(', ')}`);
  if (use.crossBorder && !product.terms.crossBorder) return deny('cross_border_not_permitted', 'the terms do not allow transfer abroad');
  const quota = licence.quota;
  if (quota && use.usedUnits + use.units > quota.units) {
    return deny('quota_exceeded', `${quota.units} units per ${quota.per.toLowerCase()}, ${use.usedUnits} used, ${use.units} asked`);
  }
  return { allowed: true };
}
