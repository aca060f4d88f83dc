import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SubjectControlInput } from '@citizen-vault/chaincode/rules';
import { claimKeyFrom, claimMatches, newClaim } from '../../src/rights/erasure-certificate.js';

const base = { id: randomUUID(), subjectId: randomUUID(), at: '2026-12-02T03:00:00.000Z' };

describe('what the ledger accepts as a subject control', () => {
  it('takes ids, codes, times and digests only', () => {
    expect(SubjectControlInput.safeParse({ ...base, type: 'LEGAL_HOLD_PLACED', holdId: randomUUID(), reasonHash: 'a'.repeat(64) }).success).toBe(true);
    expect(SubjectControlInput.safeParse({ ...base, type: 'RESTRICTION_PLACED', requestId: randomUUID() }).success).toBe(true);
    expect(SubjectControlInput.safeParse({ ...base, type: 'ERASURE_CERTIFIED', requestId: randomUUID(), certificateHash: 'b'.repeat(64) }).success).toBe(true);
  });

  it('refuses a reason in words, a national id, a certificate without its hash, a hold without its id', () => {
    expect(SubjectControlInput.safeParse({ ...base, type: 'LEGAL_HOLD_PLACED', holdId: randomUUID(), reason: 'Court order 45/2026' }).success).toBe(false);
    expect(SubjectControlInput.safeParse({ ...base, type: 'RESTRICTION_PLACED', nationalId: '001099012345' }).success).toBe(false);
    expect(SubjectControlInput.safeParse({ ...base, type: 'ERASURE_CERTIFIED' }).success).toBe(false);
    expect(SubjectControlInput.safeParse({ ...base, type: 'RESTRICTION_LIFTED', certificateHash: 'b'.repeat(64) }).success).toBe(false);
    expect(SubjectControlInput.safeParse({ ...base, type: 'LEGAL_HOLD_LIFTED' }).success).toBe(false);
    expect(SubjectControlInput.safeParse({ ...base, type: 'LEGAL_HOLD_PLACED', holdId: randomUUID(), reasonHash: 'not hex' }).success).toBe(false);
  });
});

describe("an erasure certificate's ownership claim", () => {
  const key = claimKeyFrom(Buffer.alloc(32, 7));

  it('matches the national id that filed the request, and no other', () => {
    const claim = newClaim(key, '001099012345');
    expect(claimMatches(key, claim, '001099012345')).toBe(true);
    expect(claimMatches(key, claim, '001099012346')).toBe(false);
  });

  it('is salted per request and keyed: two claims of one citizen differ, and another key matches neither', () => {
    const one = newClaim(key, '001099012345');
    const two = newClaim(key, '001099012345');
    expect(one.hash.equals(two.hash)).toBe(false);
    expect(claimMatches(claimKeyFrom(Buffer.alloc(32, 8)), one, '001099012345')).toBe(false);
  });
});
