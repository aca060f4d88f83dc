import { describe, expect, it } from 'vitest';
import { nextStep, outcomeOf, type RectificationTask } from '../../src/rectification/index.js';

let n = 0;
const task = (over: Partial<RectificationTask>): RectificationTask => ({
  id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  requestId: 'r',
  subjectId: 's',
  custodianOrgId: 'a',
  recordId: 'rec',
  category: 'residence',
  fields: ['province'],
  baseVersion: 1,
  status: 'OPEN',
  createdAt: new Date(0),
  resolvedAt: null,
  rejectReason: null,
  newVersion: null,
  ...over,
});
const accepted = (over: Partial<RectificationTask> = {}) => task({ status: 'ACCEPTED', resolvedAt: new Date(1000), newVersion: 2, ...over });
const rejected = (reason: RectificationTask['rejectReason'], at: number, over: Partial<RectificationTask> = {}) =>
  task({ status: 'REJECTED', resolvedAt: new Date(at), rejectReason: reason, ...over });

describe('when a rectification request is settled, and how', () => {
  it('waits while any task is open, or when there are none', () => {
    expect(outcomeOf(['residence.province'], [accepted(), task({})])).toEqual({ type: 'pending' });
    expect(outcomeOf(['residence.province'], [])).toEqual({ type: 'pending' });
  });

  it('completes when every field was accepted by at least one custodian holding it, even if another rejected', () => {
    expect(outcomeOf(['residence.province'], [accepted(), rejected('LEGAL_OBLIGATION', 500, { custodianOrgId: 'b' })])).toEqual({ type: 'complete' });
  });

  it('is refused with the reason of the first rejection of a field nobody corrected', () => {
    const tasks = [
      accepted({ fields: ['province'] }),
      rejected('RIGHTS_OF_OTHERS', 3000, { fields: ['ward'], custodianOrgId: 'b' }),
      rejected('LEGAL_OBLIGATION', 2000, { fields: ['ward'], custodianOrgId: 'c' }),
      rejected('IDENTITY_NOT_VERIFIED', 1000, { fields: ['province'], custodianOrgId: 'd' }), // its field was corrected by another
    ];
    expect(outcomeOf(['residence.province', 'residence.ward'], tasks)).toEqual({ type: 'refuse', reason: 'LEGAL_OBLIGATION' });
  });

  it('walks an open request to its end one legal step at a time, and stops at a closed one', () => {
    const complete = { type: 'complete' } as const;
    expect(nextStep('RECEIVED', complete)).toEqual({ type: 'acknowledge' });
    expect(nextStep('ACKNOWLEDGED', complete)).toEqual({ type: 'start' });
    expect(nextStep('IN_PROGRESS', complete)).toEqual({ type: 'complete' });
    expect(nextStep('EXTENDED', complete)).toEqual({ type: 'complete' });
    expect(nextStep('RECEIVED', { type: 'refuse', reason: 'LEGAL_OBLIGATION' })).toEqual({ type: 'refuse', reason: 'LEGAL_OBLIGATION' });
    expect(nextStep('COMPLETED', complete)).toBeUndefined();
    expect(nextStep('REFUSED', { type: 'refuse', reason: 'LEGAL_OBLIGATION' })).toBeUndefined();
    expect(nextStep('RECEIVED', { type: 'pending' })).toBeUndefined();
  });
});
