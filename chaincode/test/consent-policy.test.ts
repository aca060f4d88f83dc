import { describe, expect, it } from 'vitest';
import {
  CONSENT_TRANSITIONS,
  checkUse,
  newConsent,
  transitionConsent,
  usagePeriod,
  type Consent,
  type ConsentAction,
  type ConsentStatus,
} from '../src/rules/consent-policy.js';
import { ConsentRequestInput, parseValue, type ConsentRequest } from '../src/rules/schemas.js';

const T0 = '2026-12-01T00:00:00.000Z';
const request: ConsentRequest = {
  id: '01935c7e-1111-7000-8000-000000000001',
  subjectId: '01935c7e-2222-7000-8000-000000000002',
  consumerOrgId: '01935c7e-3333-7000-8000-000000000003',
  purpose: 'credit_scoring',
  requestedFields: ['identity.fullName', 'residence.province', 'tax.incomeBracket'],
  accessMode: { mode: 'PERIODIC', limit: 3, per: 'DAY' },
  validFrom: '2026-12-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
  retentionDays: 30,
  onwardTransfer: false,
  crossBorder: false,
  artefactHash: 'a'.repeat(64),
};

function active(overrides: Partial<Consent> = {}): Consent {
  return { ...transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', T0, ['residence.province', 'tax.incomeBracket']), ...overrides };
}

const use = (o: Partial<{ consumerOrgId: string; purpose: string; fields: string[]; at: string }> = {}) => ({
  consumerOrgId: request.consumerOrgId,
  purpose: 'credit_scoring',
  fields: ['residence.province'],
  at: '2026-12-10T08:00:00Z',
  ...o,
});

describe('consent lifecycle', () => {
  const ALL: ConsentStatus[] = ['REQUESTED', 'ACTIVE', 'REJECTED', 'PAUSED', 'REVOKED', 'EXPIRED'];

  it('allows exactly the transitions of the lifecycle and refuses every other with illegal_transition', () => {
    const allowed: [ConsentStatus, ConsentAction, ConsentStatus][] = [
      ['REQUESTED', 'approve', 'ACTIVE'],
      ['REQUESTED', 'reject', 'REJECTED'],
      ['ACTIVE', 'pause', 'PAUSED'],
      ['PAUSED', 'resume', 'ACTIVE'],
      ['ACTIVE', 'revoke', 'REVOKED'],
      ['PAUSED', 'revoke', 'REVOKED'],
      ['ACTIVE', 'expire', 'EXPIRED'],
      ['PAUSED', 'expire', 'EXPIRED'],
    ];
    const late = '2027-02-01T00:00:00Z'; // after validUntil, so expiry is possible
    for (const from of ALL) {
      for (const action of Object.keys(CONSENT_TRANSITIONS) as ConsentAction[]) {
        const at = action === 'expire' ? late : T0;
        const consent: Consent = { ...newConsent(request, 'Org1MSP', T0), status: from };
        const expected = allowed.find(([f, a]) => f === from && a === action);
        if (expected) expect(transitionConsent(consent, action, at).status).toBe(expected[2]);
        else expect(() => transitionConsent(consent, action, at)).toThrow(/\[illegal_transition\]/);
      }
    }
  });

  it('grants all requested fields by default, or a subset, but never a field that was not requested', () => {
    expect(transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', T0).grantedFields).toEqual(request.requestedFields);
    expect(active().grantedFields).toEqual(['residence.province', 'tax.incomeBracket']);
    expect(() => transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', T0, ['health_insurance.cardNumber'])).toThrow(/never requested/);
    expect(() => transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', T0, [])).toThrow(/at least one field/);
  });

  it('records when it changed and when the citizen decided', () => {
    const at = '2026-12-02T10:00:00.000Z';
    const approved = transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', at);
    expect(approved.updatedAt).toBe(at);
    expect(approved.decidedAt).toBe(at);
    expect(transitionConsent(approved, 'pause', '2026-12-03T00:00:00.000Z').decidedAt).toBe(at);
  });

  it('refuses to expire a consent before its validity window closes', () => {
    expect(() => transitionConsent(active(), 'expire', '2026-12-31T23:59:59Z')).toThrow(/cannot expire before/);
    expect(transitionConsent(active(), 'expire', '2027-01-01T00:00:00Z').status).toBe('EXPIRED');
  });

  it('refuses to approve a request whose window has closed', () => {
    expect(() => transitionConsent(newConsent(request, 'Org1MSP', T0), 'approve', '2027-01-02T00:00:00Z')).toThrow(/already closed/);
  });
});

describe('use check', () => {
  it('allows a consented read', () => {
    expect(checkUse(active(), use(), 0)).toEqual({ allowed: true });
  });

  it.each([
    ['wrong_consumer', active(), use({ consumerOrgId: '01935c7e-9999-7000-8000-000000000009' }), 0],
    ['not_active', active({ status: 'REVOKED' }), use(), 0],
    ['not_active', active({ status: 'PAUSED' }), use(), 0],
    ['not_active', newConsent(request, 'Org1MSP', T0), use(), 0],
    ['expired', active({ status: 'EXPIRED' }), use(), 0],
    ['expired', active(), use({ at: '2027-01-01T00:00:00Z' }), 0],
    ['not_yet_valid', active(), use({ at: '2026-11-30T23:59:59Z' }), 0],
    ['purpose_mismatch', active(), use({ purpose: 'marketing' }), 0],
    ['field_not_granted', active(), use({ fields: ['residence.province', 'identity.fullName'] }), 0],
    ['frequency_exceeded', active(), use(), 3],
  ] as const)('denies with %s', (reason, consent, request_, uses) => {
    const decision = checkUse(consent, request_, uses);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.reason).toBe(reason);
  });

  it('allows a ONCE consent exactly once', () => {
    const once = active({ accessMode: { mode: 'ONCE' } });
    expect(checkUse(once, use(), 0).allowed).toBe(true);
    expect(checkUse(once, use(), 1)).toMatchObject({ allowed: false, reason: 'frequency_exceeded' });
  });

  it('counts days and months in Vietnam time (UTC+7)', () => {
    expect(usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, '2026-12-10T16:59:59Z')).toBe('2026-12-10');
    expect(usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'DAY' }, '2026-12-10T17:00:00Z')).toBe('2026-12-11');
    expect(usagePeriod({ mode: 'PERIODIC', limit: 1, per: 'MONTH' }, '2026-12-31T17:30:00Z')).toBe('2027-01');
    expect(usagePeriod({ mode: 'ONCE' }, '2026-12-31T17:30:00Z')).toBe('once');
  });
});

describe('consent request validation', () => {
  it('accepts a well-formed request', () => {
    expect(parseValue(ConsentRequestInput, request, 'request').id).toBe(request.id);
  });

  it.each([
    ['a national id as subject id', { subjectId: '001099012345' }, /subjectId: must be a lowercase UUID/],
    ['an unknown purpose', { purpose: 'surveillance' }, /purpose code from the published vocabulary/],
    ['a malformed field', { requestedFields: ['Residence Province'] }, /field of the published vocabulary/],
    ['a field outside the vocabulary that spells out a person', { requestedFields: ['nguyenVanAn0912345678'] }, /field of the published vocabulary/],
    ['a repeated field', { requestedFields: ['residence.province', 'residence.province'] }, /must not repeat/],
    ['an inverted window', { validUntil: '2026-11-01T00:00:00Z' }, /after validFrom/],
    ['a fractional limit', { accessMode: { mode: 'PERIODIC', limit: 1.5, per: 'DAY' } }, /limit/],
    ['an extra property', { fullName: 'Nguyễn Văn An' }, /Unrecognized key/i],
  ])('refuses %s', (_what, change, message) => {
    expect(() => parseValue(ConsentRequestInput, { ...request, ...change }, 'request')).toThrow(message);
  });
});
