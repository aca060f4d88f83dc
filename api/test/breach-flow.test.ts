import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../src/webhooks/webhook-signature.js';
import { citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from './stack.js';

const AN = '001099012345';
const BINH = '079188004321';

interface BreachView {
  id: string;
  state: string;
  affectedSubjects: number;
  affectedReads: number;
  version: number;
  notifyDueAt: string;
  detectedAt: string;
  clock: { status: string; dueAt: string; minutesLeft: number | null };
}
interface BreachDetail extends BreachView {
  consumers: { id: string; name: string; affectedSubjects: number }[];
  versions: { version: number; action: string; recordHash: string; ledgerTransactionId: string | null }[];
}
interface Notice {
  breachId: string;
  fields: string[];
  consumers: { id: string; name: string }[];
  reads: number;
}

describe('breach register, end to end: real reads, the ledger, webhooks, notices and the authority form', () => {
  let stack: TestStack;
  let bank: TestOrganization;
  let insurer: TestOrganization;
  let an: string;
  let binh: string;
  let operator: string;
  let auditor: string;
  let receiver: Server;
  const received: { body: string; signature: string; type: string }[] = [];
  let webhookSecret = '';
  let breachId = '';
  const startedAt = new Date();
  const { call, ok } = requests(() => stack.url);
  const devToken = async (role: string) => (await ok<{ access_token: string }>(await call('/dev/token', undefined, { body: { role } }))).access_token;
  const ledgerVersions = async (id: string) =>
    JSON.parse(Buffer.from(await stack.api.ledger.evaluate('breaches', 'GetBreach', id)).toString('utf8')) as Record<string, unknown>[];
  /** Asks again until `done` (an error, such as the ledger still starting, counts as not yet), then asks a last time. */
  const until = async <T>(what: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await what().catch(() => undefined);
      if (v !== undefined && done(v)) return v;
      await new Promise((r) => setTimeout(r, 250));
    }
    return what();
  };

  /** A consumer asks for residence.province of a citizen, the citizen approves, the consumer reads it: a real access event. */
  const readThrough = async (consumer: TestOrganization, nationalId: string, citizen: string) => {
    const consent = await ok<{ id: string }>(
      await call('/v1/consents', await consumer.token(), {
        body: {
          subject: { nationalId },
          purpose: 'credit_scoring',
          fields: ['residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 100, per: 'DAY' },
          validUntil: new Date(Date.now() + 86_400_000).toISOString(),
          retentionDays: 1,
          justification: 'Thẩm định hồ sơ vay',
        },
      }),
      201,
    );
    await ok(await call(`/v1/consents/${consent.id}/approve`, citizen, { body: {} }));
    await ok(await call(`/v1/consents/${consent.id}/data`, await consumer.token()));
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['cv-signature'] ?? ''), type: JSON.parse(body).type });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    stack = await startStack({ breachOutboxIntervalMs: 300 });
    const custodian = await registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội Việt Nam');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Bình Minh');
    insurer = await registerOrganization(stack, ['consumer'], 'Bảo hiểm An Tâm');
    an = await citizenToken(stack, AN);
    binh = await citizenToken(stack, BINH);
    operator = await devToken('operator');
    auditor = await devToken('auditor');
    for (const nationalId of [AN, BINH]) {
      await ok(
        await call('/v1/records', await custodian.token(), { body: { subject: { nationalId }, category: 'residence', fields: { province: 'Hà Nội' } } }),
        201,
      );
    }
    const port = (receiver.address() as { port: number }).port;
    webhookSecret = (await ok<{ secret: string }>(await call('/v1/webhooks', await bank.token(), { body: { url: `http://127.0.0.1:${port}/hook` } }), 201))
      .secret;
    await readThrough(bank, AN, an); // in the breach
    await readThrough(insurer, BINH, binh); // another consumer: not in the breach
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    receiver?.close();
  });

  it("1. the operator records a breach; it finds exactly the bank's reader, and the 72-hour clock runs from detection", async () => {
    const detectedAt = new Date(Date.now() - 60 * 60_000);
    const recorded = await ok<BreachView>(
      await call('/v1/breaches', operator, {
        body: {
          summary: 'Khoá truy cập của Ngân hàng Bình Minh bị lộ trên kho mã công khai',
          detectedAt: detectedAt.toISOString(),
          dataCategories: ['residence'],
          consumerOrgIds: [bank.id],
          fields: ['residence.province'],
          window: { from: new Date(startedAt.getTime() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
          contact: 'DPO, dpo@vault.example',
        },
      }),
      201,
    );
    breachId = recorded.id;
    expect(recorded).toMatchObject({ state: 'OPEN', affectedSubjects: 1, affectedReads: 1, clock: { status: 'ON_TIME' } });
    expect(recorded.notifyDueAt).toBe(new Date(detectedAt.getTime() + 72 * 3_600_000).toISOString());
    expect(recorded.clock.minutesLeft).toBeGreaterThanOrEqual(70 * 60);
  });

  it('2. bad input and the wrong roles are refused as problems', async () => {
    const bad = async (body: unknown) => {
      const res = await call('/v1/breaches', operator, { body });
      expect(res.status, await res.clone().text()).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    };
    await bad({ summary: 'x' });
    await bad({
      summary: 'x',
      detectedAt: 'yesterday',
      dataCategories: ['residence'],
      consumerOrgIds: [bank.id],
      fields: ['residence.province'],
      window: { from: startedAt.toISOString(), to: new Date().toISOString() },
    });
    await bad({
      summary: 'x',
      detectedAt: new Date().toISOString(),
      dataCategories: ['residence'],
      consumerOrgIds: [bank.id],
      fields: ['health.bloodType'],
      window: { from: startedAt.toISOString(), to: new Date().toISOString() },
    });
    await bad({
      summary: 'x',
      detectedAt: '0000-01-01T00:00:00Z',
      dataCategories: ['residence'],
      consumerOrgIds: [bank.id],
      fields: ['residence.province'],
      window: { from: startedAt.toISOString(), to: new Date().toISOString() },
    });
    expect((await call('/v1/breaches', an, { body: {} })).status).toBe(403);
    expect((await call('/v1/breaches', auditor)).status).toBe(403);
    expect((await call('/v1/audit/breaches', operator)).status).toBe(403);
    expect((await call('/v1/breaches/not-a-uuid', operator)).status).toBe(400);
    expect((await call(`/v1/breaches/${breachId}/authority-form?format=pdf`, operator)).status).toBe(400);
  });

  it('3. the affected citizen sees a notice; the citizen read by another consumer sees none', async () => {
    const mine = await ok<{ items: Notice[] }>(await call('/v1/me/breach-notices', an));
    expect(mine.items).toEqual([
      expect.objectContaining({ breachId, fields: ['residence.province'], reads: 1, consumers: [{ id: bank.id, name: 'Ngân hàng Bình Minh' }] }),
    ]);
    expect((await ok<{ items: Notice[] }>(await call('/v1/me/breach-notices', binh))).items).toEqual([]);
    expect((await call('/v1/me/breach-notices', operator)).status).toBe(403);
  });

  it('4. the bank receives a signed breach.recorded webhook; the version is on the ledger without personal data', async () => {
    await until(
      async () => received.length,
      (n) => n > 0,
    );
    const event = received.find((r) => r.type === 'breach.recorded')!;
    expect(JSON.parse(event.body).data).toMatchObject({ breachId, version: 1, concernsYou: true, affectedSubjectsThroughYou: 1 });
    expect(verifyWebhook(webhookSecret, event.body, event.signature, Math.floor(Date.now() / 1000))).toBe(true);
    const detail = await until(
      async () => ok<BreachDetail>(await call(`/v1/breaches/${breachId}`, auditor)),
      (d) => d.versions.every((v) => v.ledgerTransactionId),
    );
    const onLedger = await ledgerVersions(breachId);
    expect(onLedger.map((v) => v.txId)).toEqual(detail.versions.map((v) => v.ledgerTransactionId));
    expect(onLedger[0]).toMatchObject({ breachId, version: 1, affectedSubjects: 1, recordHash: detail.versions[0]!.recordHash });
    const text = JSON.stringify(onLedger);
    expect(text).not.toContain(AN);
    const [subject] = await stack.api.sql<{ subject_id: string }[]>`select subject_id from breach_subjects where breach_id = ${breachId}`;
    expect(text).not.toContain(subject!.subject_id);
    expect(text).not.toContain('Bình Minh');
  }, 60_000);

  it('5. a version written while the ledger is down is answered, kept pending, and anchored when the ledger is back', async () => {
    await stack.stopLedger();
    try {
      const updated = await ok<BreachView>(
        await call(`/v1/breaches/${breachId}/update`, operator, {
          body: { consequences: 'Lộ tỉnh/thành phố cư trú', authorityNotifiedAt: new Date().toISOString() },
        }),
      );
      expect(updated).toMatchObject({ version: 2, clock: { status: 'NOTIFIED', minutesLeft: null } });
      const pending = await ok<BreachDetail>(await call(`/v1/breaches/${breachId}`, operator));
      expect(pending.versions.map((v) => v.ledgerTransactionId === null)).toEqual([false, true]);
    } finally {
      await stack.startLedger();
    }
    const detail = await until(
      async () => ok<BreachDetail>(await call(`/v1/breaches/${breachId}`, operator)),
      (d) => d.versions.every((v) => v.ledgerTransactionId),
    );
    expect((await ledgerVersions(breachId)).map((v) => [v.version, v.action, v.txId])).toEqual(
      detail.versions.map((v) => [v.version, v.action, v.ledgerTransactionId]),
    );
  }, 120_000);

  it("6. closing needs the measures; the authority's form comes as JSON whose canonical record hashes to the ledger's, and as Vietnamese HTML", async () => {
    const refused = await call(`/v1/breaches/${breachId}/close`, operator, { body: {} });
    expect(refused.status).toBe(400);
    const closed = await ok<BreachView>(await call(`/v1/breaches/${breachId}/close`, operator, { body: { measures: 'Thu hồi khoá, buộc đối tác đổi khoá' } }));
    expect(closed).toMatchObject({ state: 'CLOSED', version: 3, clock: { status: 'NOTIFIED' } });
    expect((await call(`/v1/breaches/${breachId}/close`, operator, { body: { measures: 'x' } })).status).toBe(409);

    const form = await ok<{ evidence: { recordHash: string; canonicalRecord: string; version: number }; breach: { affectedSubjects: number } }>(
      await call(`/v1/breaches/${breachId}/authority-form`, auditor),
    );
    expect(form.breach.affectedSubjects).toBe(1);
    expect(createHash('sha256').update(form.evidence.canonicalRecord).digest('hex')).toBe(form.evidence.recordHash);
    const onLedger = await until(
      () => ledgerVersions(breachId),
      (v) => v.length === 3,
    );
    expect(onLedger[2]!.recordHash).toBe(form.evidence.recordHash);

    const html = await call(`/v1/breaches/${breachId}/authority-form?format=html`, operator);
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN');
    expect(page).toContain('Số chủ thể dữ liệu bị ảnh hưởng');
    expect(page).toContain('Ngân hàng Bình Minh');
    expect(page).not.toContain(AN);
  }, 60_000);

  it("7. the auditor's register lists the breach with its clock and its versions on the ledger", async () => {
    const report = await ok<{ items: BreachDetail[] }>(await call('/v1/audit/breaches', auditor));
    const mine = report.items.find((b) => b.id === breachId)!;
    expect(mine).toMatchObject({
      state: 'CLOSED',
      clock: { status: 'NOTIFIED' },
      consumers: [{ id: bank.id, name: 'Ngân hàng Bình Minh', affectedSubjects: 1 }],
    });
    expect(mine.versions.map((v) => v.action)).toEqual(['record', 'update', 'close']);
    const events = await until(
      async () => received.map((r) => r.type).filter((t) => t.startsWith('breach.')),
      (t) => t.length >= 3,
    );
    expect(events).toEqual(['breach.recorded', 'breach.updated', 'breach.closed']);
  }, 60_000);
});
