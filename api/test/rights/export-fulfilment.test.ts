import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRightsRequests } from '../../src/rights/index.js';
import { ExportService, type ExportSources } from '../../src/rights/export-service.js';
import type { ExportSnapshot, ExportStore } from '../../src/rights/export-store.js';
import { ExportFulfilment } from '../../src/rights/export-worker.js';
import { RightsService } from '../../src/rights/rights-service.js';
import { VietnamWorkingCalendar } from '../../src/rights/working-days.js';
import { TestClock } from '../support/fixtures.js';

const AN = '001099012345';

/** The export's store in memory: snapshots kept once. */
class MemoryExportStore implements ExportStore {
  readonly kept = new Map<string, ExportSnapshot>();
  async keep(s: ExportSnapshot): Promise<ExportSnapshot> {
    if (!this.kept.has(s.requestId)) this.kept.set(s.requestId, s);
    return this.kept.get(s.requestId)!;
  }
  async get(requestId: string): Promise<ExportSnapshot | undefined> {
    return this.kept.get(requestId);
  }
  async counts(): Promise<Record<string, number>> {
    return { accessEvents: 0, consents: 0, records: 0 };
  }
  async licenceUses(): Promise<[]> {
    return [];
  }
}

function setup() {
  const clock = new TestClock(new Date('2026-12-02T03:00:00Z'));
  const store = new MemoryRightsRequests();
  const subject = randomUUID();
  const rights = new RightsService({
    store,
    subjects: { subjectId: async (nationalId) => (nationalId === AN ? subject : undefined) },
    recorder: { flush: async () => 0 },
    calendar: new VietnamWorkingCalendar(),
    clock,
    newId: randomUUID,
  });
  const log = { size: 0, head: undefined as { treeSize: number; timestamp: string } | undefined };
  const exportStore = new MemoryExportStore();
  const logProofs = {
    latest: async () => (log.head ? { ...log.head, rootHash: '00'.repeat(32), keyId: 'k', signature: 's', anchor: null } : undefined),
    size: async () => log.size,
  } as unknown as ExportSources['logProofs'];
  const exports = new ExportService({
    requests: rights,
    records: { recordsOf: async () => [] },
    consents: { listForCitizen: async () => [], artefact: async () => '' },
    history: { accessEventsOf: async () => [] },
    logProofs,
    earnings: { earnings: async () => ({ items: [], totalDong: '0' }) },
    store: exportStore,
    clock,
  });
  const messages: string[] = [];
  const worker = new ExportFulfilment(rights, exports, (m) => messages.push(m));
  return { rights, store, worker, log, exportStore, exports, messages, clock };
}

describe('export fulfilment: the worker carries EXPORT requests out through the request lifecycle', () => {
  it('acknowledges, starts and completes an EXPORT request in one round, and leaves other kinds to the operator', async () => {
    const { rights, store, worker, log, exportStore } = setup();
    log.size = 5;
    log.head = { treeSize: 5, timestamp: '2026-12-02T02:59:58.000Z' };
    const exported = await rights.file(AN, { kind: 'EXPORT' });
    const restrict = await rights.file(AN, { kind: 'RESTRICT' });
    expect(await worker.round()).toBe(1);
    expect((await store.get(exported.request.id))!.state).toBe('COMPLETED');
    expect((await store.history(exported.request.id)).map((t) => [t.action, t.actor])).toEqual([
      ['file', 'citizen'],
      ['acknowledge', 'operator'],
      ['start', 'operator'],
      ['complete', 'operator'],
    ]);
    expect(exportStore.kept.get(exported.request.id)).toMatchObject({ treeSize: 5, asOf: new Date('2026-12-02T02:59:58.000Z') });
    expect((await store.get(restrict.request.id))!.state).toBe('RECEIVED');
    expect(await worker.round()).toBe(0);
  });

  it('waits while the log has leaves but no signed head, then completes on a later round', async () => {
    const { rights, store, worker, log } = setup();
    log.size = 3;
    const { request } = await rights.file(AN, { kind: 'EXPORT' });
    expect(await worker.round()).toBe(0);
    expect((await store.get(request.id))!.state).toBe('IN_PROGRESS');
    log.head = { treeSize: 3, timestamp: '2026-12-02T03:00:01.000Z' };
    expect(await worker.round()).toBe(1);
    expect((await store.get(request.id))!.state).toBe('COMPLETED');
  });

  it('waits for a head signed after the request when the log grew past the last one, so every earlier read is in', async () => {
    const { rights, store, worker, log, exportStore } = setup();
    log.size = 7; // two reads since the head below
    log.head = { treeSize: 5, timestamp: '2026-12-02T02:59:58.000Z' };
    const { request } = await rights.file(AN, { kind: 'EXPORT' });
    expect(await worker.round()).toBe(0);
    expect((await store.get(request.id))!.state).toBe('IN_PROGRESS');
    log.head = { treeSize: 7, timestamp: '2026-12-02T03:00:02.000Z' };
    expect(await worker.round()).toBe(1);
    expect(exportStore.kept.get(request.id)).toMatchObject({ treeSize: 7 });
  });

  it('takes a request the operator extended from where it stands, and keeps its first snapshot', async () => {
    const { rights, store, worker, log, exportStore } = setup();
    const { request } = await rights.file(AN, { kind: 'EXPORT' });
    await rights.act(request.id, { type: 'acknowledge' });
    await rights.act(request.id, { type: 'extend', days: 5, reason: 'COMPLEX_REQUEST' });
    expect(await worker.round()).toBe(1);
    expect((await store.get(request.id))!.state).toBe('COMPLETED');
    expect(exportStore.kept.get(request.id)).toMatchObject({ treeSize: 0 }); // an empty log: nothing to prove
    log.head = { treeSize: 9, timestamp: '2026-12-02T03:00:05.000Z' };
    expect((await exportStore.get(request.id))!.treeSize).toBe(0);
  });

  it("the bundle is the owner's only, and only once completed", async () => {
    const { rights, worker, log, exports } = setup();
    log.head = { treeSize: 1, timestamp: '2026-12-02T03:00:00.000Z' };
    log.size = 1;
    const { request } = await rights.file(AN, { kind: 'EXPORT' });
    await expect(exports.bundle(AN, request.id)).rejects.toMatchObject({ code: 'export_not_ready' });
    await expect(exports.bundle('079188004321', request.id)).rejects.toMatchObject({ code: 'not_found' });
    await worker.round();
    await expect(exports.bundle('079188004321', request.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a refused export is not carried out, and its download stays not ready', async () => {
    const { rights, store, worker, exports } = setup();
    const { request } = await rights.file(AN, { kind: 'EXPORT' });
    await rights.act(request.id, { type: 'refuse', reason: 'IDENTITY_NOT_VERIFIED' });
    expect(await worker.round()).toBe(0);
    expect((await store.get(request.id))!.state).toBe('REFUSED');
    await expect(exports.bundle(AN, request.id)).rejects.toMatchObject({ code: 'export_not_ready', extra: { state: 'REFUSED' } });
  });
});
