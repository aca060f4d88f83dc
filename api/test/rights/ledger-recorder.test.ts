import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RightsLedgerRecorder } from '../../src/rights/ledger-recorder.js';
import { ledgerRecordOf } from '../../src/rights/ledger-record.js';
import { MemoryRightsRequests } from '../../src/rights/index.js';
import { decide, fileRequest, type RightsRequest } from '../../src/rights/request-lifecycle.js';
import { VietnamWorkingCalendar } from '../../src/rights/working-days.js';

const calendar = new VietnamWorkingCalendar();

/** A ledger like the chaincode's: steps in order, each once, the same step again answers the stored one. */
class FakeLedger {
  readonly records = new Map<string, { txId: string; value: string }>();
  down = false;
  /** Commit, then lose the answer (the process dies before it hears back). */
  loseNextAnswer = false;
  calls = 0;

  async submit(contract: string, fn: string, json: string): Promise<Uint8Array> {
    this.calls++;
    expect([contract, fn]).toEqual(['rights', 'RecordRightsRequest']);
    if (this.down) throw new Error('ledger unavailable');
    const r = JSON.parse(json) as { requestId: string; seq: number };
    const key = `${r.requestId}/${r.seq}`;
    const existing = this.records.get(key);
    if (existing) {
      if (existing.value !== json) throw new Error('[already_exists] differently');
      return Buffer.from(JSON.stringify({ ...r, txId: existing.txId }));
    }
    if (r.seq > 1 && !this.records.has(`${r.requestId}/${r.seq - 1}`)) throw new Error('[invalid_argument] out of order');
    const txId = randomUUID().replace(/-/g, '').padEnd(64, '0');
    this.records.set(key, { txId, value: json });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('connection reset');
    }
    return Buffer.from(JSON.stringify({ ...r, txId }));
  }
}

async function filedAndAcknowledged(store: MemoryRightsRequests): Promise<RightsRequest> {
  const { request, transition } = fileRequest({ id: randomUUID(), subjectId: randomUUID(), kind: 'OBJECT' }, new Date('2026-03-02T02:00:00Z'), calendar);
  await store.insert(request, transition, 'citizen', ledgerRecordOf(request, transition));
  const d = decide(request, { type: 'acknowledge' }, new Date('2026-03-02T03:00:00Z'), calendar);
  if (!d.ok) throw new Error(d.detail);
  await store.apply(d.request, 1, d.transition, 'operator', ledgerRecordOf(d.request, d.transition));
  return d.request;
}

describe('the rights ledger recorder', () => {
  it('records pending steps in order and marks each with its ledger transaction', async () => {
    const memory = new MemoryRightsRequests();
    const ledger = new FakeLedger();
    const request = await filedAndAcknowledged(memory);
    expect(await new RightsLedgerRecorder(memory, ledger).flush(request.id)).toBe(2);
    const history = await memory.history(request.id);
    expect(history.map((t) => t.recordedTxId)).toEqual([...ledger.records.values()].map((r) => r.txId));
    expect(await memory.pendingRecords(10)).toEqual([]);
  });

  it("leaves steps pending while the ledger is down, holding a request's later steps back, and finishes them when it is back", async () => {
    const memory = new MemoryRightsRequests();
    const ledger = new FakeLedger();
    const recorder = new RightsLedgerRecorder(memory, ledger);
    const [a, b] = [await filedAndAcknowledged(memory), await filedAndAcknowledged(memory)];
    ledger.down = true;
    expect(await recorder.flush()).toBe(0);
    expect(ledger.calls).toBe(2); // one attempt per request: its second step waits for its first
    expect((await memory.pendingRecords(10)).map((p) => p.attempts).sort()).toEqual([0, 0, 1, 1]);
    ledger.down = false;
    expect(await recorder.flush()).toBe(4);
    for (const r of [a, b]) expect((await memory.history(r.id)).every((t) => t.recordedTxId)).toBe(true);
  });

  it('marks a step the ledger committed before the answer was lost, without recording it twice', async () => {
    const memory = new MemoryRightsRequests();
    const ledger = new FakeLedger();
    const recorder = new RightsLedgerRecorder(memory, ledger);
    const request = await filedAndAcknowledged(memory);
    ledger.loseNextAnswer = true;
    expect(await recorder.flush(request.id)).toBe(0);
    expect(ledger.records.size).toBe(1); // committed, though we never heard
    expect(await recorder.flush(request.id)).toBe(2);
    expect(ledger.records.size).toBe(2);
    expect((await memory.history(request.id)).map((t) => t.recordedTxId)).toEqual([...ledger.records.values()].map((r) => r.txId));
  });
});
