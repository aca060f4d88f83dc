import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VietnamWorkingCalendar } from '../src/rights/working-days.js';
import { citizenToken, requests, startStack, type TestStack } from './stack.js';

const AN = '001099012345';
const BINH = '079188004321';

interface RequestView {
  id: string;
  kind: string;
  state: string;
  receivedAt: string;
  replyDueAt: string;
  dueAt: string;
  subjectId?: string;
  extension: { days: number; reason: string; previousDueAt: string } | null;
  refusal: { reason: string; explanation: { en: string; vi: string } } | null;
  clock: { phase: string; status: string; dueAt: string; replyLate: boolean };
  history?: { seq: number; action: string; to: string; ledgerTransactionId: string | null }[];
}
interface Problem {
  code: string;
  detail: string;
  status: number;
}

describe('data-subject requests, end to end: file, acknowledge, extend once, complete, on the ledger', () => {
  let stack: TestStack;
  let an: string;
  let binh: string;
  let operator: string;
  let auditor: string;
  let requestId: string;
  const calendar = new VietnamWorkingCalendar();
  const { call, ok } = requests(() => stack.url);
  const devToken = async (role: string) =>
    (
      (await (
        await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) })
      ).json()) as { access_token: string }
    ).access_token;
  const problem = async (res: Response, status: number, code: string): Promise<Problem> => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const p = JSON.parse(body) as Problem;
    expect(p.code).toBe(code);
    return p;
  };
  const ledgerSteps = async (id: string): Promise<Record<string, unknown>[]> =>
    JSON.parse(Buffer.from(await stack.api.ledger.evaluate('rights', 'GetRightsRequest', id)).toString('utf8')) as Record<string, unknown>[];

  beforeAll(async () => {
    stack = await startStack({ rightsRecorderIntervalMs: 300 });
    an = await citizenToken(stack, AN);
    binh = await citizenToken(stack, BINH);
    operator = await devToken('operator');
    auditor = await devToken('auditor');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('1. a citizen files a request and gets its Decree 356 deadlines on the working-day calendar', async () => {
    const filed = await ok<RequestView>(await call('/v1/me/rights-requests', an, { body: { kind: 'RESTRICT', fields: ['residence.province'] } }), 201);
    expect(filed).toMatchObject({ kind: 'RESTRICT', state: 'RECEIVED', clock: { phase: 'REPLY' } });
    const receivedAt = new Date(filed.receivedAt);
    expect(filed.replyDueAt).toBe(calendar.addWorkingDays(receivedAt, 2).toISOString());
    expect(filed.dueAt).toBe(calendar.calendarDeadline(receivedAt, 15).toISOString());
    requestId = filed.id;
  });

  it('2. bad input, a second open request of the same kind, and the wrong role are refused as problems', async () => {
    await problem(await call('/v1/me/rights-requests', an, { body: { kind: 'FORGET_ME' } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rights-requests', an, { body: { kind: 'ERASE', fields: ['not.a.field'] } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rights-requests', an, { body: { kind: 'ERASE', nationalId: AN } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rights-requests', an, { body: { kind: 'RESTRICT' } }), 409, 'conflict');
    await problem(await call('/v1/me/rights-requests', operator, { body: { kind: 'EXPORT' } }), 403, 'forbidden');
    await problem(await call('/v1/me/rights-requests', undefined, { body: { kind: 'EXPORT' } }), 401, 'unauthorized');
    await problem(await call('/v1/rights-requests', an), 403, 'forbidden');
    await problem(await call('/v1/rights-requests/not-a-uuid', operator), 400, 'invalid_request');
  });

  it('3. the citizen sees it among their requests; another citizen does not', async () => {
    const mine = await ok<{ items: RequestView[] }>(await call('/v1/me/rights-requests', an));
    expect(mine.items.map((r) => r.id)).toEqual([requestId]);
    expect((await ok<{ items: RequestView[] }>(await call('/v1/me/rights-requests', binh))).items).toEqual([]);
    await problem(await call(`/v1/me/rights-requests/${requestId}`, binh), 404, 'not_found');
  });

  it('4. the operator finds it in the queue with its clock, and cannot complete what was not acknowledged', async () => {
    const queue = await ok<{ items: RequestView[] }>(await call('/v1/rights-requests', operator));
    const mine = queue.items.find((r) => r.id === requestId);
    expect(mine).toMatchObject({ state: 'RECEIVED', clock: { phase: 'REPLY', status: expect.stringMatching(/^(ON_TIME|DUE_SOON)$/) } });
    expect(mine!.subjectId).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await problem(await call(`/v1/rights-requests/${requestId}/complete`, operator, { body: {} }), 409, 'illegal_transition');
    expect(refused.detail).toContain('RECEIVED');
  });

  it('5. the operator acknowledges, starts, and extends once; a second extension is refused with its reason', async () => {
    await ok(await call(`/v1/rights-requests/${requestId}/acknowledge`, operator, { body: {} }));
    const started = await ok<RequestView>(await call(`/v1/rights-requests/${requestId}/start`, operator, { method: 'POST' }));
    expect(started.state).toBe('IN_PROGRESS');
    await problem(await call(`/v1/rights-requests/${requestId}/extend`, operator, { body: { days: 16, reason: 'COMPLEX_REQUEST' } }), 400, 'invalid_request');
    await problem(await call(`/v1/rights-requests/${requestId}/extend`, operator, { body: { days: 5, reason: 'because' } }), 400, 'invalid_request');
    const extended = await ok<RequestView>(
      await call(`/v1/rights-requests/${requestId}/extend`, operator, { body: { days: 10, reason: 'PROCESSOR_MUST_ACT' } }),
    );
    expect(extended).toMatchObject({ state: 'EXTENDED', extension: { days: 10, reason: 'PROCESSOR_MUST_ACT', previousDueAt: started.dueAt } });
    expect(extended.dueAt).toBe(calendar.calendarDeadline(new Date(started.dueAt), 10).toISOString());
    const again = await problem(
      await call(`/v1/rights-requests/${requestId}/extend`, operator, { body: { days: 5, reason: 'COMPLEX_REQUEST' } }),
      409,
      'extension_already_used',
    );
    expect(again.detail).toContain('one extension');
  });

  it("6. the operator completes it; every step is in the citizen's history and on the ledger, without the national id", async () => {
    const done = await ok<RequestView>(await call(`/v1/rights-requests/${requestId}/complete`, operator, { body: {} }));
    expect(done).toMatchObject({ state: 'COMPLETED', clock: { phase: 'CLOSED', status: 'ON_TIME' } });
    const seen = await ok<RequestView>(await call(`/v1/me/rights-requests/${requestId}`, an));
    expect(seen.history!.map((s) => `${s.seq} ${s.action} ${s.to}`)).toEqual([
      '1 file RECEIVED',
      '2 acknowledge ACKNOWLEDGED',
      '3 start IN_PROGRESS',
      '4 extend EXTENDED',
      '5 complete COMPLETED',
    ]);
    for (const s of seen.history!) expect(s.ledgerTransactionId, `step ${s.seq}`).toMatch(/^[0-9a-f]{64}$/);

    const onLedger = await ledgerSteps(requestId);
    expect(onLedger.map((s) => s.state)).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED', 'COMPLETED']);
    expect(onLedger.map((s) => s.txId)).toEqual(seen.history!.map((s) => s.ledgerTransactionId));
    expect(onLedger[3]).toMatchObject({ action: 'extend', reason: 'PROCESSOR_MUST_ACT', dueAt: done.dueAt, kind: 'RESTRICT', requestId });
    const [subject] = await stack.api.sql<{ id: string }[]>`select subject_id as id from rights_requests where id = ${requestId}`;
    for (const s of onLedger) expect(s.subjectId).toBe(subject!.id);
    const text = JSON.stringify(onLedger);
    expect(text).not.toContain(AN);
    expect(text).not.toMatch(/(?<![0-9a-f-])\d{12}(?![0-9a-f-])/);
  });

  it('7. a refusal carries a reason the citizen can read, in Vietnamese and English', async () => {
    const filed = await ok<RequestView>(await call('/v1/me/rights-requests', binh, { body: { kind: 'ERASE' } }), 201);
    const refused = await ok<RequestView>(await call(`/v1/rights-requests/${filed.id}/refuse`, operator, { body: { reason: 'LEGAL_OBLIGATION' } }));
    expect(refused.state).toBe('REFUSED');
    const seen = await ok<RequestView>(await call(`/v1/me/rights-requests/${filed.id}`, binh));
    expect(seen.refusal).toEqual({ reason: 'LEGAL_OBLIGATION', explanation: { en: expect.stringContaining('law'), vi: expect.stringContaining('Luật') } });
  });

  it("8. the auditor's report lists requests open past their deadline and those completed late", async () => {
    // Time passes for two requests: one left open, one completed after its deadline.
    const open = await ok<RequestView>(await call('/v1/me/rights-requests', binh, { body: { kind: 'OBJECT' } }), 201);
    const late = await ok<RequestView>(await call('/v1/me/rights-requests', an, { body: { kind: 'EXPORT' } }), 201);
    for (const step of ['acknowledge', 'start']) await ok(await call(`/v1/rights-requests/${late.id}/${step}`, operator, { body: {} }));
    const monthAgo = "interval '30 days'";
    await stack.api.sql.unsafe(
      `update rights_requests set received_at = received_at - ${monthAgo}, reply_due_at = reply_due_at - ${monthAgo}, due_at = due_at - ${monthAgo} where id in ($1, $2)`,
      [open.id, late.id],
    );
    await ok(await call(`/v1/rights-requests/${late.id}/complete`, operator, { body: {} }));

    await problem(await call('/v1/audit/rights-requests', operator), 403, 'forbidden');
    const report = await ok<{ overdue: RequestView[]; late: RequestView[] }>(await call('/v1/audit/rights-requests', auditor));
    expect(report.overdue.map((r) => r.id)).toEqual([open.id]);
    expect(report.overdue[0]!.clock).toMatchObject({ phase: 'REPLY', status: 'OVERDUE', replyLate: true });
    expect(report.late.map((r) => r.id)).toEqual([late.id]);
    expect(report.late[0]!.clock.status).toBe('LATE');
    expect(report.late.map((r) => r.id)).not.toContain(requestId); // completed in time
    // The citizen sees the same clock.
    const binhs = await ok<{ items: RequestView[] }>(await call('/v1/me/rights-requests', binh));
    expect(binhs.items.find((r) => r.id === open.id)!.clock.status).toBe('OVERDUE');
  });

  it('9. a step taken while the ledger is down is answered, kept pending, and recorded when the ledger is back', async () => {
    const filed = await ok<RequestView>(await call('/v1/me/rights-requests', an, { body: { kind: 'WITHDRAW_ALL' } }), 201);
    await stack.stopLedger();
    try {
      const acknowledged = await ok<RequestView>(await call(`/v1/rights-requests/${filed.id}/acknowledge`, operator, { body: { processorMustAct: true } }));
      expect(acknowledged.state).toBe('ACKNOWLEDGED');
      expect(acknowledged.dueAt).toBe(calendar.calendarDeadline(new Date(filed.receivedAt), 20).toISOString());
      const pending = await ok<RequestView>(await call(`/v1/me/rights-requests/${filed.id}`, an));
      expect(pending.history!.map((s) => s.ledgerTransactionId === null)).toEqual([false, true]);
    } finally {
      await stack.startLedger();
    }
    const until = Date.now() + 30_000;
    let history: RequestView['history'] = [];
    while (Date.now() < until) {
      history = (await ok<RequestView>(await call(`/v1/me/rights-requests/${filed.id}`, an))).history;
      if (history!.every((s) => s.ledgerTransactionId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(history!.map((s) => s.ledgerTransactionId)).toEqual((await ledgerSteps(filed.id)).map((s) => s.txId));
    expect((await ledgerSteps(filed.id)).map((s) => s.dueAt)).toEqual([filed.dueAt, calendar.calendarDeadline(new Date(filed.receivedAt), 20).toISOString()]);
  }, 90_000);

  it('10. a step left pending when the API stopped is recorded by the next API process', async () => {
    const filed = await ok<RequestView>(await call('/v1/me/rights-requests', binh, { body: { kind: 'RECTIFY', fields: ['residence.province'] } }), 201);
    await stack.stopLedger();
    await ok(await call(`/v1/rights-requests/${filed.id}/refuse`, operator, { body: { reason: 'MANIFESTLY_UNFOUNDED' } }));
    const before = await ok<RequestView>(await call(`/v1/me/rights-requests/${filed.id}`, binh));
    expect(before.history!.map((s) => s.ledgerTransactionId === null)).toEqual([false, true]);
    // The API stops with the step pending; the new process starts while the ledger comes back.
    const restarting = stack.restartApi();
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.startLedger();
    await restarting;
    const until = Date.now() + 30_000;
    let history: RequestView['history'] = [];
    while (Date.now() < until) {
      history = (await ok<RequestView>(await call(`/v1/me/rights-requests/${filed.id}`, binh))).history;
      if (history!.every((s) => s.ledgerTransactionId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await ledgerSteps(filed.id)).map((s) => `${s.state} ${s.reason ?? ''}`)).toEqual(['RECEIVED ', 'REFUSED MANIFESTLY_UNFOUNDED']);
    expect(history!.map((s) => s.ledgerTransactionId)).toEqual((await ledgerSteps(filed.id)).map((s) => s.txId));
  }, 120_000);
});
