import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerRecordOf } from '../../src/rights/ledger-record.js';
import { clockOf, decide, fileRequest, MAX_EXTENSION_DAYS, type RequestAction, type RightsRequest } from '../../src/rights/request-lifecycle.js';
import { VietnamWorkingCalendar } from '../../src/rights/working-days.js';

const calendar = new VietnamWorkingCalendar();
const hanoi = (local: string): Date => new Date(`${local}+07:00`);
const SUBJECT = '01935c7e-0101-7000-8000-000000000101';
const ID = '01935c7e-0201-7000-8000-000000000201';
const HOUR = 3_600_000;

function filed(at = hanoi('2026-03-02T09:00:00'), kind: RightsRequest['kind'] = 'RESTRICT'): RightsRequest {
  return fileRequest({ id: ID, subjectId: SUBJECT, kind }, at, calendar).request;
}

/** Applies steps one after the other, each an hour after the last, failing the test on a refusal. */
function run(request: RightsRequest, ...actions: RequestAction[]): RightsRequest {
  let at = request.receivedAt;
  for (const action of actions) {
    at = new Date(at.getTime() + HOUR);
    const d = decide(request, action, at, calendar);
    if (!d.ok) throw new Error(`${action.type} refused: ${d.code} ${d.detail}`);
    request = d.request;
  }
  return request;
}

describe('filing a data-subject request', () => {
  it('sets the 2-working-day reply deadline and the 15-day completion deadline of Decree 356', () => {
    const { request, transition } = fileRequest({ id: ID, subjectId: SUBJECT, kind: 'WITHDRAW_ALL' }, hanoi('2026-03-02T09:00:00'), calendar);
    expect(request).toMatchObject({ state: 'RECEIVED', version: 1, replyDueAt: hanoi('2026-03-04T23:59:59.999'), dueAt: hanoi('2026-03-17T23:59:59.999') });
    expect(transition).toMatchObject({ seq: 1, action: 'file', from: null, to: 'RECEIVED' });
  });

  it('gives 20 days when a processor or third party must act', () => {
    const { request } = fileRequest({ id: ID, subjectId: SUBJECT, kind: 'OBJECT', processorMustAct: true }, hanoi('2026-03-02T09:00:00'), calendar);
    expect(request.dueAt).toEqual(hanoi('2026-03-23T23:59:59.999')); // 22 March is a Sunday
  });

  it('counts the deadlines across Tết', () => {
    const request = filed(hanoi('2026-02-12T15:00:00'));
    expect(request.replyDueAt).toEqual(hanoi('2026-02-23T23:59:59.999')); // Friday 13, then Tết and two weekends, then Monday 23
    expect(request.dueAt).toEqual(hanoi('2026-02-27T23:59:59.999'));
  });
});

describe('the request state machine', () => {
  it('goes RECEIVED → ACKNOWLEDGED → IN_PROGRESS → COMPLETED, one numbered transition at a time', () => {
    let request = filed();
    const states: string[] = [request.state];
    for (const [n, action] of (['acknowledge', 'start', 'complete'] as const).entries()) {
      const d = decide(request, { type: action }, new Date(request.receivedAt.getTime() + (n + 1) * HOUR), calendar);
      expect(d.ok).toBe(true);
      if (!d.ok) return;
      expect(d.transition).toMatchObject({ seq: n + 2, action, from: request.state, to: d.request.state });
      request = d.request;
      states.push(request.state);
    }
    expect(states).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'COMPLETED']);
    expect(request.closedAt).not.toBeNull();
  });

  it('explains why a step is not allowed in the current state', () => {
    const d = decide(filed(), { type: 'complete' }, hanoi('2026-03-02T10:00:00'), calendar);
    expect(d).toEqual({
      ok: false,
      code: 'illegal_transition',
      detail: 'a request that is RECEIVED cannot be completed; it can be IN_PROGRESS or EXTENDED only',
    });
  });

  it('lets nothing happen to a closed request', () => {
    const done = run(filed(), { type: 'acknowledge' }, { type: 'start' }, { type: 'complete' });
    const refused = run(filed(), { type: 'refuse', reason: 'IDENTITY_NOT_VERIFIED' });
    for (const closed of [done, refused]) {
      for (const action of [
        { type: 'acknowledge' },
        { type: 'start' },
        { type: 'complete' },
        { type: 'refuse', reason: 'LEGAL_OBLIGATION' },
        { type: 'extend', days: 5, reason: 'COMPLEX_REQUEST' },
      ] as RequestAction[]) {
        const d = decide(closed, action, hanoi('2026-03-03T10:00:00'), calendar);
        expect(d.ok, `${action.type} after ${closed.state}`).toBe(false);
      }
    }
  });

  it('refuses from any open state, keeping the reason the citizen will read', () => {
    for (const request of [
      filed(),
      run(filed(), { type: 'acknowledge' }),
      run(filed(), { type: 'acknowledge' }, { type: 'start' }),
      run(filed(), { type: 'acknowledge' }, { type: 'extend', days: 3, reason: 'COMPLEX_REQUEST' }),
    ]) {
      const d = decide(request, { type: 'refuse', reason: 'LEGAL_OBLIGATION' }, hanoi('2026-03-04T10:00:00'), calendar);
      expect(d.ok && d.request).toMatchObject({ state: 'REFUSED', refusalReason: 'LEGAL_OBLIGATION' });
      expect(d.ok && d.transition.reason).toBe('LEGAL_OBLIGATION');
    }
  });

  it('moves the completion deadline to 20 days when the operator finds that a processor must act', () => {
    const acknowledged = run(filed(), { type: 'acknowledge', processorMustAct: true });
    expect(acknowledged).toMatchObject({ processorMustAct: true, dueAt: hanoi('2026-03-23T23:59:59.999') });
  });
});

describe('the one extension', () => {
  const inProgress = () => run(filed(), { type: 'acknowledge' }, { type: 'start' });

  it('moves the deadline by the days given, records why, and then the request can still be completed', () => {
    const before = inProgress();
    const extended = run(before, { type: 'extend', days: 15, reason: 'PROCESSOR_MUST_ACT' });
    expect(extended).toMatchObject({
      state: 'EXTENDED',
      dueAt: hanoi('2026-04-01T23:59:59.999'),
      extension: { days: 15, reason: 'PROCESSOR_MUST_ACT', previousDueAt: before.dueAt },
    });
    expect(run(extended, { type: 'complete' }).state).toBe('COMPLETED');
  });

  it('is refused the second time, saying when the first was taken', () => {
    const extended = run(inProgress(), { type: 'extend', days: 5, reason: 'COMPLEX_REQUEST' });
    const d = decide(extended, { type: 'extend', days: 5, reason: 'COMPLEX_REQUEST' }, hanoi('2026-03-10T10:00:00'), calendar);
    expect(d).toMatchObject({ ok: false, code: 'extension_already_used' });
    expect(!d.ok && d.detail).toContain(extended.extension!.at.toISOString());
  });

  it(`is at most ${MAX_EXTENSION_DAYS} days`, () => {
    expect(decide(inProgress(), { type: 'extend', days: 16, reason: 'COMPLEX_REQUEST' }, hanoi('2026-03-03T10:00:00'), calendar)).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
    expect(decide(inProgress(), { type: 'extend', days: 0, reason: 'COMPLEX_REQUEST' }, hanoi('2026-03-03T10:00:00'), calendar)).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
  });

  it('must be taken before the deadline runs out', () => {
    const request = inProgress();
    const d = decide(request, { type: 'extend', days: 5, reason: 'COMPLEX_REQUEST' }, new Date(request.dueAt.getTime() + 1), calendar);
    expect(d).toMatchObject({ ok: false, code: 'deadline_passed' });
  });
});

describe('the clock', () => {
  it('runs the reply deadline until acknowledged, then the completion deadline', () => {
    const request = filed();
    expect(clockOf(request, hanoi('2026-03-02T12:00:00'))).toMatchObject({ phase: 'REPLY', status: 'ON_TIME', dueAt: request.replyDueAt });
    expect(clockOf(request, hanoi('2026-03-04T12:00:00'))).toMatchObject({ phase: 'REPLY', status: 'DUE_SOON' });
    expect(clockOf(request, hanoi('2026-03-05T00:00:01'))).toMatchObject({ phase: 'REPLY', status: 'OVERDUE', replyLate: true });
    const acknowledged = run(request, { type: 'acknowledge' });
    expect(clockOf(acknowledged, hanoi('2026-03-05T00:00:01'))).toMatchObject({ phase: 'COMPLETION', status: 'ON_TIME', replyLate: false });
    expect(clockOf(acknowledged, hanoi('2026-03-18T00:00:01'))).toMatchObject({ status: 'OVERDUE' });
  });

  it('marks a request completed after its deadline LATE', () => {
    const started = run(filed(), { type: 'acknowledge' }, { type: 'start' });
    const d = decide(started, { type: 'complete' }, new Date(started.dueAt.getTime() + HOUR), calendar);
    expect(d.ok && clockOf(d.request, new Date(started.dueAt.getTime() + 2 * HOUR)).status).toBe('LATE');
  });
});

describe('the ledger record of a transition', () => {
  it('carries ids, codes and times only', () => {
    const { request, transition } = fileRequest(
      { id: ID, subjectId: SUBJECT, kind: 'RESTRICT', fields: ['residence.province'] },
      hanoi('2026-03-02T09:00:00'),
      calendar,
    );
    expect(Object.keys(ledgerRecordOf(request, transition)).sort()).toEqual([
      'action',
      'at',
      'dueAt',
      'kind',
      'receivedAt',
      'replyDueAt',
      'requestId',
      'seq',
      'state',
      'subjectId',
    ]);
    const refused = decide(request, { type: 'refuse', reason: 'RIGHTS_OF_OTHERS' }, hanoi('2026-03-02T10:00:00'), calendar);
    expect(refused.ok && ledgerRecordOf(refused.request, refused.transition)).toMatchObject({
      seq: 2,
      action: 'refuse',
      state: 'REFUSED',
      reason: 'RIGHTS_OF_OTHERS',
    });
  });
});

describe('any sequence of steps', () => {
  const action = fc.oneof(
    fc.constant<RequestAction>({ type: 'acknowledge' }),
    fc.boolean().map<RequestAction>((processorMustAct) => ({ type: 'acknowledge', processorMustAct })),
    fc.constant<RequestAction>({ type: 'start' }),
    fc.constant<RequestAction>({ type: 'complete' }),
    fc.constantFrom<RequestAction>({ type: 'refuse', reason: 'LEGAL_OBLIGATION' }, { type: 'refuse', reason: 'DUPLICATE_REQUEST' }),
    fc.integer({ min: -2, max: 20 }).map<RequestAction>((days) => ({ type: 'extend', days, reason: 'COMPLEX_REQUEST' })),
  );

  it('keeps the invariants: numbered transitions, at most one extension of at most 15 days, closed is final, the deadline never moves back', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(action, fc.integer({ min: 1, max: 72 })), { maxLength: 12 }), (steps) => {
        let request = filed();
        let at = request.receivedAt;
        let extensions = 0;
        for (const [a, hours] of steps) {
          at = new Date(at.getTime() + hours * HOUR);
          const d = decide(request, a, at, calendar);
          if (!d.ok) continue;
          expect(request.closedAt).toBeNull();
          expect(d.transition.seq).toBe(request.version + 1);
          expect(d.request.dueAt.getTime()).toBeGreaterThanOrEqual(request.dueAt.getTime());
          if (a.type === 'extend') {
            extensions++;
            expect(a.days).toBeGreaterThanOrEqual(1);
            expect(a.days).toBeLessThanOrEqual(MAX_EXTENSION_DAYS);
          }
          request = d.request;
        }
        expect(extensions).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
