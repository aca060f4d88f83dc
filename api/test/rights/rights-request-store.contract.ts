import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ledgerRecordOf } from '../../src/rights/ledger-record.js';
import type { RightsRequestStore } from '../../src/rights/index.js';
import { decide, fileRequest, type RequestAction, type RequestKind, type RightsRequest } from '../../src/rights/request-lifecycle.js';
import { VietnamWorkingCalendar } from '../../src/rights/working-days.js';

const calendar = new VietnamWorkingCalendar();
const HOUR = 3_600_000;

/**
 * What every rights request store must do: run against the Postgres adapter and its in-memory
 * twin. The store may hold other requests, so each check looks at its own ids.
 */
export function rightsRequestStoreContract(name: string, fresh: () => Promise<RightsRequestStore>): void {
  describe(`rights request store contract: ${name}`, () => {
    let store: RightsRequestStore;
    const subject = randomUUID();
    beforeEach(async () => {
      store = await fresh();
    });
    const file = async (kind: RequestKind, at: Date): Promise<RightsRequest> => {
      const { request, transition } = fileRequest({ id: randomUUID(), subjectId: subject, kind, fields: ['residence.province'] }, at, calendar);
      await store.insert(request, transition, 'citizen', ledgerRecordOf(request, transition));
      return request;
    };
    const step = async (request: RightsRequest, action: RequestAction, at: Date): Promise<RightsRequest> => {
      const d = decide(request, action, at, calendar);
      if (!d.ok) throw new Error(d.detail);
      expect(await store.apply(d.request, request.version, d.transition, 'operator', ledgerRecordOf(d.request, d.transition))).toBe(true);
      return d.request;
    };

    it('gives back a request exactly as it was written, through every step', async () => {
      let request = await file('RESTRICT', new Date('2026-03-02T02:00:00Z'));
      expect(await store.get(request.id)).toEqual(request);
      request = await step(request, { type: 'acknowledge', processorMustAct: true }, new Date('2026-03-02T03:00:00Z'));
      request = await step(request, { type: 'extend', days: 7, reason: 'MANY_REQUESTS' }, new Date('2026-03-02T04:00:00Z'));
      request = await step(request, { type: 'refuse', reason: 'RIGHTS_OF_OTHERS' }, new Date('2026-03-02T05:00:00Z'));
      expect(await store.get(request.id)).toEqual(request);
      expect((await store.history(request.id)).map((t) => `${t.seq} ${t.action} ${t.from ?? '-'}→${t.to} ${t.actor} ${t.reason ?? ''}`)).toEqual([
        '1 file -→RECEIVED citizen ',
        '2 acknowledge RECEIVED→ACKNOWLEDGED operator ',
        '3 extend ACKNOWLEDGED→EXTENDED operator MANY_REQUESTS',
        '4 refuse EXTENDED→REFUSED operator RIGHTS_OF_OTHERS',
      ]);
      expect(await store.get(randomUUID())).toBeUndefined();
    });

    it('writes a transition only over the version it was decided on, and then not its history either', async () => {
      const request = await file('EXPORT', new Date('2026-03-03T02:00:00Z'));
      const first = decide(request, { type: 'acknowledge' }, new Date('2026-03-03T03:00:00Z'), calendar);
      const rival = decide(request, { type: 'refuse', reason: 'DUPLICATE_REQUEST' }, new Date('2026-03-03T03:00:01Z'), calendar);
      if (!first.ok || !rival.ok) throw new Error('both steps are allowed from RECEIVED');
      expect(await store.apply(first.request, 1, first.transition, 'operator', ledgerRecordOf(first.request, first.transition))).toBe(true);
      expect(await store.apply(rival.request, 1, rival.transition, 'operator', ledgerRecordOf(rival.request, rival.transition))).toBe(false);
      expect((await store.get(request.id))!.state).toBe('ACKNOWLEDGED');
      expect(await store.history(request.id)).toHaveLength(2);
    });

    it("finds a subject's requests newest first, an open one of a kind, the open queue and the late ones", async () => {
      const t0 = Date.parse('2026-04-06T02:00:00Z');
      const object = await file('OBJECT', new Date(t0));
      const erase = await file('ERASE', new Date(t0 + HOUR));
      let withdraw = await file('WITHDRAW_ALL', new Date(t0 + 2 * HOUR));
      // Acknowledged a week later: past the 2-working-day reply deadline.
      withdraw = await step(withdraw, { type: 'acknowledge' }, new Date(t0 + 7 * 24 * HOUR));
      withdraw = await step(withdraw, { type: 'start' }, new Date(t0 + 7 * 24 * HOUR + 1));
      // Completed after its deadline.
      withdraw = await step(withdraw, { type: 'complete' }, new Date(withdraw.dueAt.getTime() + HOUR));
      const ids = new Set([object.id, erase.id, withdraw.id]);
      const own = (rs: RightsRequest[]) => rs.filter((r) => ids.has(r.id)).map((r) => r.id);

      expect(own(await store.bySubject(subject))).toEqual([withdraw.id, erase.id, object.id]);
      expect((await store.openOfKind(subject, 'ERASE'))?.id).toBe(erase.id);
      expect(await store.openOfKind(subject, 'WITHDRAW_ALL')).toBeUndefined();
      expect(own(await store.open())).toEqual([object.id, erase.id]); // by deadline
      expect(own(await store.late())).toEqual([withdraw.id]);
    });

    it('keeps every transition pending for the ledger until it is marked recorded, oldest first', async () => {
      let request = await file('RECTIFY', new Date('2026-05-04T02:00:00Z'));
      request = await step(request, { type: 'acknowledge' }, new Date('2026-05-04T03:00:00Z'));
      const pending = await store.pendingRecords(10, request.id);
      expect(pending.map((p) => [p.seq, p.record.action, p.attempts])).toEqual([
        [1, 'file', 0],
        [2, 'acknowledge', 0],
      ]);
      expect(pending[1]!.record).toEqual(ledgerRecordOf(request, (await store.history(request.id))[1]!));
      await store.markAttemptFailed(request.id, 1, 'ledger unavailable');
      expect((await store.pendingRecords(10, request.id))[0]!.attempts).toBe(1);
      await store.markRecorded(request.id, 1, 'a'.repeat(64));
      await store.markAttemptFailed(request.id, 1, 'a late failure changes nothing');
      expect((await store.pendingRecords(10, request.id)).map((p) => p.seq)).toEqual([2]);
      expect((await store.history(request.id)).map((t) => t.recordedTxId)).toEqual(['a'.repeat(64), null]);
      expect((await store.pendingRecords(1000)).some((p) => p.requestId === request.id && p.seq === 2)).toBe(true);
    });
  });
}
