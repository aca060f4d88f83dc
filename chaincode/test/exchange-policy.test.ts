import { describe, expect, it } from 'vitest';
import { checkMonotonic, type TreeHeadAnchor } from '../src/rules/anchor-policy.js';
import { consistencyProof, mth, testLog } from './merkle-tree.js';
import { canonicalJson } from '../src/rules/canonical-json.js';
import { evaluateLicenceUse, issueLicence, transitionProduct, type Licence, type Organization, type Product } from '../src/rules/exchange-policy.js';
import { parseChaincodeError, ChaincodeError } from '../src/rules/errors.js';

const AT = '2026-12-01T00:00:00.000Z';
const product: Product = {
  id: '01935c7e-4444-7000-8000-000000000004',
  providerOrgId: '01935c7e-5555-7000-8000-000000000005',
  kind: 'AGGREGATE',
  terms: {
    permittedPurposes: ['academic_research'],
    durationDays: 365,
    prohibitedActions: ['re_identification', 'resale'],
    crossBorder: false,
    attribution: true,
    quota: { units: 100, per: 'MONTH' },
    minCohortSize: 10,
  },
  plans: [{ id: 'monthly', kind: 'SUBSCRIPTION', priceDong: '5000000', includedUnits: 100 }],
  descriptionHash: 'b'.repeat(64),
  status: 'LISTED',
  termsHash: 'c'.repeat(64),
  createdAt: AT,
  updatedAt: AT,
};
const buyer: Organization = {
  id: '01935c7e-6666-7000-8000-000000000006',
  mspId: 'Org1MSP',
  roles: ['consumer'],
  status: 'VERIFIED',
  registeredAt: AT,
  updatedAt: AT,
};
const licenceInput = {
  id: '01935c7e-7777-7000-8000-000000000007',
  productId: product.id,
  planId: 'monthly',
  buyerOrgId: buyer.id,
  purpose: 'academic_research',
  validFrom: '2026-12-01T00:00:00Z',
  validUntil: '2027-06-01T00:00:00Z',
};

describe('product listing', () => {
  it('moves DRAFT → PENDING_REVIEW → LISTED → SUSPENDED → LISTED → DELISTED', () => {
    let p: Product = { ...product, status: 'DRAFT' };
    for (const [action, status] of [
      ['submit', 'PENDING_REVIEW'],
      ['approve', 'LISTED'],
      ['suspend', 'SUSPENDED'],
      ['reinstate', 'LISTED'],
      ['delist', 'DELISTED'],
    ] as const) {
      p = transitionProduct(p, action, AT);
      expect(p.status).toBe(status);
    }
    expect(() => transitionProduct(p, 'approve', AT)).toThrow(/\[illegal_transition\] cannot approve a product that is DELISTED/);
  });

  it('sends a rejected product back to DRAFT with the reason, and requires one', () => {
    const pending: Product = { ...product, status: 'PENDING_REVIEW' };
    expect(transitionProduct(pending, 'reject', AT, 'no_minimum_cohort').rejectionReason).toBe('no_minimum_cohort');
    expect(() => transitionProduct(pending, 'reject', AT)).toThrow(/needs a reason/);
  });
});

describe('licence issue', () => {
  it('issues a licence that commits to the product terms and quota', () => {
    const licence = issueLicence(licenceInput, product, buyer, AT);
    expect(licence).toMatchObject({ status: 'ACTIVE', termsHash: product.termsHash, quota: product.terms.quota, issuedAt: AT });
  });

  it.each([
    ['product_not_listed', { ...product, status: 'PENDING_REVIEW' as const }, buyer, licenceInput],
    ['buyer_not_verified', product, { ...buyer, status: 'SUSPENDED' as const }, licenceInput],
    ['buyer_not_verified', product, { ...buyer, roles: ['provider' as const] }, licenceInput],
    ['buyer_not_verified', product, undefined, licenceInput],
    ['purpose_not_permitted', product, buyer, { ...licenceInput, purpose: 'marketing' }],
    ['plan_not_found', product, buyer, { ...licenceInput, planId: 'gold' }],
    ['duration_exceeded', product, buyer, { ...licenceInput, validUntil: '2028-01-01T00:00:00Z' }],
  ])('refuses with %s', (code, p, b, input) => {
    const err = (() => {
      try {
        issueLicence(input, p, b, AT);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ChaincodeError);
    expect((err as ChaincodeError).code).toBe(code);
  });
});

describe('licence policy evaluation', () => {
  const licence: Licence = issueLicence(licenceInput, product, buyer, AT);
  const use = { purpose: 'academic_research', at: '2027-01-15T00:00:00Z', units: 1, usedUnits: 0 };

  it('allows a use within the terms', () => {
    expect(evaluateLicenceUse(licence, product, use)).toEqual({ allowed: true });
  });

  it.each([
    ['licence_not_active', { ...licence, status: 'CANCELLED' as const }, product, use],
    ['licence_not_yet_valid', licence, product, { ...use, at: '2026-11-30T00:00:00Z' }],
    ['licence_expired', licence, product, { ...use, at: '2027-06-01T00:00:00Z' }],
    ['product_not_listed', licence, { ...product, status: 'SUSPENDED' as const }, use],
    ['purpose_not_permitted', licence, product, { ...use, purpose: 'marketing' }],
    ['action_prohibited', licence, product, { ...use, actions: ['resale'] }],
    ['cross_border_not_permitted', licence, product, { ...use, crossBorder: true }],
    ['quota_exceeded', licence, product, { ...use, usedUnits: 100 }],
  ])('denies with %s and explains why', (reason, l, p, u) => {
    const decision = evaluateLicenceUse(l, p, u);
    expect(decision).toMatchObject({ allowed: false, reason });
    expect(decision.allowed === false && decision.explanation.length).toBeGreaterThan(5);
  });
});

describe('tree head anchors', () => {
  const log = testLog(40);
  const hex = (b: Buffer) => b.toString('hex');
  const prev: TreeHeadAnchor = {
    treeSize: 10,
    rootHash: hex(mth(log.slice(0, 10))),
    timestamp: AT,
    keyId: 'k',
    signature: 'x'.repeat(40),
    anchoredAt: AT,
    sequence: 1,
  };

  it('accepts growth proven consistent and the same head again, refuses shrinking and a rewritten root', () => {
    expect(checkMonotonic(undefined, prev)).toBe('append');
    const next = { ...prev, treeSize: 11, rootHash: hex(mth(log.slice(0, 11))) };
    expect(checkMonotonic(prev, { ...next, consistencyProof: consistencyProof(10, log.slice(0, 11)).map(hex) })).toBe('append');
    expect(() => checkMonotonic(prev, next)).toThrow(/\[anchor_not_consistent\]/); // no proof
    // A rewritten log: its proof is genuine for its own tree, but not from the anchored root.
    const rewritten = testLog(11, 'x');
    expect(() => checkMonotonic(prev, { ...next, rootHash: hex(mth(rewritten)), consistencyProof: consistencyProof(10, rewritten).map(hex) })).toThrow(
      /\[anchor_not_consistent\] .* rewritten/,
    );
    for (let size = 11; size <= 40; size++) {
      expect(
        checkMonotonic(prev, {
          ...prev,
          treeSize: size,
          rootHash: hex(mth(log.slice(0, size))),
          consistencyProof: consistencyProof(10, log.slice(0, size)).map(hex),
        }),
      ).toBe('append');
    }
    expect(checkMonotonic(prev, prev)).toBe('same');
    expect(() => checkMonotonic(prev, { ...prev, treeSize: 9 })).toThrow(/\[anchor_not_monotonic\] tree size 9 is smaller/);
    expect(() => checkMonotonic(prev, { ...prev, rootHash: 'f'.repeat(64) })).toThrow(/log was rewritten/);
  });
});

describe('determinism helpers', () => {
  it('writes the same bytes whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":2,"z":1}]},"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });

  it('carries error codes that a client can read back from the gateway message', () => {
    expect(parseChaincodeError('chaincode response 500, [forbidden] only the exchange operator may do this')).toEqual({
      code: 'forbidden',
      detail: 'only the exchange operator may do this',
    });
  });
});
