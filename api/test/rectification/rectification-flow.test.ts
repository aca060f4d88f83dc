import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentRequest, citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from '../stack.js';

const AN = '001099012345';

interface Task {
  id: string;
  requestId: string;
  recordId: string;
  fields: string[];
  status: string;
  baseVersion: number;
  newVersion: number | null;
  proposed?: Record<string, unknown>;
  rejection: { reason: string; explanation: { en: string; vi: string } } | null;
}
interface Event {
  type: string;
  data: Record<string, unknown>;
}
interface Problem {
  code: string;
}

describe('rectification, end to end: RECTIFY → custodian tasks → a new version served, the old one kept as superseded', () => {
  let stack: TestStack;
  let receiver: Server;
  let hookBase: string;
  const received = new Map<string, { raw: string; event: Event }[]>();
  let hospital: TestOrganization; // custodian A
  let registry: TestOrganization; // custodian B
  let stranger: TestOrganization; // a custodian holding nothing about An
  let bank: TestOrganization; // consumer
  let an: string;
  let consentId: string;
  let recordA: string;
  let recordB: string;
  let requestId: string;
  let taskA: Task;
  let taskB: Task;
  const { call, ok } = requests(() => stack.url);
  const problem = async (res: Response, status: number, code: string) => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    expect((JSON.parse(body) as Problem).code).toBe(code);
  };
  const eventsOf = (name: string) => received.get(name) ?? [];
  const waitFor = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(what()).toBe(true);
  };
  const servedProvince = async () =>
    (await ok<{ fields: Record<string, unknown> }>(await call(`/v1/consents/${consentId}/data?fields=residence.province`, await bank.token()))).fields[
      'residence.province'
    ];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const name = req.url!.slice(1);
        received.set(name, [...eventsOf(name), { raw: body, event: JSON.parse(body) as Event }]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    hookBase = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    stack = await startStack({ rightsRecorderIntervalMs: 300, webhookRetryBaseMs: 50 });
    hospital = await registerOrganization(stack, ['custodian'], 'Bệnh viện Bạch Mai');
    registry = await registerOrganization(stack, ['custodian'], 'Công an phường');
    stranger = await registerOrganization(stack, ['custodian'], 'Sở khác');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Sửa Đổi');
    for (const [name, org] of [
      ['hospital', hospital],
      ['registry', registry],
      ['stranger', stranger],
      ['bank', bank],
    ] as const)
      await ok(await call('/v1/webhooks', await org.token(), { body: { url: `${hookBase}/${name}` } }), 201);
    an = await citizenToken(stack, AN);
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
    receiver?.close();
  });

  it('1. two custodians hold the province; a consumer reads it under an active consent', async () => {
    recordA = (
      await ok<{ id: string }>(
        await call('/v1/records', await hospital.token(), {
          body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nam', streetAddress: '3 Lê Lợi' } },
        }),
        201,
      )
    ).id;
    recordB = (
      await ok<{ id: string }>(
        await call('/v1/records', await registry.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nam' } } }),
        201,
      )
    ).id;
    consentId = (
      await ok<{ id: string }>(
        await call('/v1/consents', await bank.token(), {
          body: consentRequest(AN, { frequency: { limit: 50, per: 'DAY' }, justification: 'Thẩm định hồ sơ vay' }),
        }),
        201,
      )
    ).id;
    await ok(await call(`/v1/consents/${consentId}/approve`, an, { body: {} }));
    expect(await servedProvince()).toBe('Hà Nam');
  });

  it('2. refuses a correction of a field nobody holds, a value of the wrong type, and a non-citizen', async () => {
    await problem(await call('/v1/me/rectifications', an, { body: { corrections: { 'identity.fullName': 'Nguyễn Văn An' } } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rectifications', an, { body: { corrections: { 'residence.since': 'yesterday' } } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rectifications', an, { body: { corrections: { 'not.a.field': 'x' } } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rectifications', an, { body: { corrections: {} } }), 400, 'invalid_request');
    await problem(await call('/v1/me/rectifications', await bank.token(), { body: { corrections: { 'residence.province': 'Hà Nội' } } }), 403, 'forbidden');
    // Nothing was filed by the refusals.
    expect((await ok<{ items: unknown[] }>(await call('/v1/me/rights-requests', an))).items).toEqual([]);
  });

  it('3. the citizen asks; each custodian holding the field gets a task and a webhook; the value is stored sealed', async () => {
    const filed = await ok<{ request: { id: string; kind: string; state: string; fields: string[] }; tasks: (Task & { custodianOrgId: string })[] }>(
      await call('/v1/me/rectifications', an, { body: { corrections: { 'residence.province': 'Hà Nội' } } }),
      201,
    );
    expect(filed.request).toMatchObject({ kind: 'RECTIFY', state: 'RECEIVED', fields: ['residence.province'] });
    requestId = filed.request.id;
    expect(filed.tasks.map((t) => t.custodianOrgId).sort()).toEqual([hospital.id, registry.id].sort());
    expect(filed.tasks.every((t) => t.status === 'OPEN' && t.baseVersion === 1)).toBe(true);

    await waitFor(() => eventsOf('hospital').some((e) => e.event.type === 'rectification.task_created'));
    await waitFor(() => eventsOf('registry').some((e) => e.event.type === 'rectification.task_created'));
    const created = eventsOf('hospital').find((e) => e.event.type === 'rectification.task_created')!;
    expect(created.event.data).toMatchObject({ requestId, recordId: recordA, fields: ['residence.province'] });
    expect(created.raw).not.toContain('Hà Nội');
    expect(eventsOf('stranger')).toEqual([]);

    const stored = await stack.api.sql<{ sealed_value: Buffer }[]>`select sealed_value from rectification_values where request_id = ${requestId}`;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.sealed_value.includes(Buffer.from('Hà Nội'))).toBe(false);
    expect(stored[0]!.sealed_value.includes(Buffer.from('H\\u00e0 N\\u1ed9i'))).toBe(false);
  });

  it('4. another organisation can neither see nor act on the task; a consumer is not a custodian', async () => {
    const mine = await ok<{ items: Task[] }>(await call('/v1/rectification-tasks', await hospital.token()));
    expect(mine.items).toHaveLength(1);
    taskA = mine.items[0]!;
    expect(taskA).toMatchObject({ requestId, recordId: recordA, fields: ['residence.province'], proposed: { 'residence.province': 'Hà Nội' } });
    taskB = (await ok<{ items: Task[] }>(await call('/v1/rectification-tasks', await registry.token()))).items[0]!;

    const other = await stranger.token();
    expect((await ok<{ items: Task[] }>(await call('/v1/rectification-tasks', other))).items).toEqual([]);
    await problem(await call(`/v1/rectification-tasks/${taskA.id}`, other), 404, 'not_found');
    await problem(await call(`/v1/rectification-tasks/${taskA.id}/versions`, other), 404, 'not_found');
    await problem(await call(`/v1/rectification-tasks/${taskA.id}/accept`, other, { body: {} }), 404, 'not_found');
    await problem(await call(`/v1/rectification-tasks/${taskA.id}/reject`, other, { body: { reason: 'LEGAL_OBLIGATION' } }), 404, 'not_found');
    // Custodian B cannot act on A's task either.
    await problem(await call(`/v1/rectification-tasks/${taskA.id}/accept`, await registry.token(), { body: {} }), 404, 'not_found');
    await problem(await call('/v1/rectification-tasks', await bank.token()), 403, 'forbidden');
    await problem(await call('/v1/rectification-tasks', an), 403, 'forbidden');
    await problem(await call(`/v1/rectification-tasks/${taskA.id}/reject`, await hospital.token(), { body: { reason: 'BECAUSE' } }), 400, 'invalid_request');
    await problem(await call('/v1/rectification-tasks/not-a-uuid', await hospital.token()), 400, 'invalid_request');
    // Still untouched.
    expect((await ok<Task>(await call(`/v1/rectification-tasks/${taskA.id}`, await hospital.token()))).status).toBe('OPEN');
  });

  it('5. custodian A accepts: version 2 is served, version 1 is kept marked superseded, the consumer is told', async () => {
    const accepted = await ok<Task>(await call(`/v1/rectification-tasks/${taskA.id}/accept`, await hospital.token(), { body: {} }));
    expect(accepted).toMatchObject({ status: 'ACCEPTED', baseVersion: 1, newVersion: 2 });
    // A retry answers the same, with no third version.
    expect(await ok<Task>(await call(`/v1/rectification-tasks/${taskA.id}/accept`, await hospital.token(), { body: {} }))).toMatchObject({
      newVersion: 2,
    });

    const versions = await ok<{ items: { version: number; fields: Record<string, unknown>; current: boolean; supersededBy: number | null }[] }>(
      await call(`/v1/rectification-tasks/${taskA.id}/versions`, await hospital.token()),
    );
    expect(versions.items).toMatchObject([
      { version: 1, fields: { province: 'Hà Nam', streetAddress: '3 Lê Lợi' }, current: false, supersededBy: 2 },
      { version: 2, fields: { province: 'Hà Nội', streetAddress: '3 Lê Lợi' }, current: true, supersededBy: null },
    ]);
    const rows = await stack.api.sql<{ version: number; superseded_at: Date | null; superseded_by: number | null }[]>`
      select version, superseded_at, superseded_by from record_versions where record_id = ${recordA} order by version`;
    expect(rows.map((r) => [r.version, r.superseded_at !== null, r.superseded_by])).toEqual([
      [1, true, 2],
      [2, false, null],
    ]);
    const anchored = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('commitments', 'GetCommitment', recordA, '2')).toString()) as {
      commitment: string;
    };
    expect(anchored.commitment).toMatch(/^[0-9a-f]{64}$/);

    const records = await ok<{ items: { id: string; version: number; fields: Record<string, unknown> }[] }>(await call('/v1/me/records', an));
    expect(records.items.find((r) => r.id === recordA)).toMatchObject({ version: 2, fields: { province: 'Hà Nội' } });
    expect(records.items.find((r) => r.id === recordB)).toMatchObject({ version: 1, fields: { province: 'Hà Nam' } });

    // Precedence: the most recent statement of the field wins, so A's correction is served over B's older value.
    expect(await servedProvince()).toBe('Hà Nội');

    await waitFor(() => eventsOf('bank').some((e) => e.event.type === 'record.rectified'));
    const told = eventsOf('bank').find((e) => e.event.type === 'record.rectified')!;
    expect(told.event.data).toMatchObject({ consentId, recordId: recordA, version: 2, fields: ['residence.province'] });
    expect(told.raw).not.toContain('Hà Nội');
    expect(told.raw).not.toContain(AN);
    expect(eventsOf('bank').filter((e) => e.event.type === 'record.rectified')).toHaveLength(1);

    const request = await ok<{ state: string }>(await call(`/v1/me/rights-requests/${requestId}`, an));
    expect(request.state).toBe('RECEIVED'); // B's task is still open
  });

  it('6. custodian B rejects; every task resolved, the request completes through ledger-recorded steps taken by the custodian', async () => {
    const rejected = await ok<Task>(
      await call(`/v1/rectification-tasks/${taskB.id}/reject`, await registry.token(), { body: { reason: 'MANIFESTLY_UNFOUNDED' } }),
    );
    expect(rejected).toMatchObject({ status: 'REJECTED', newVersion: null, rejection: { reason: 'MANIFESTLY_UNFOUNDED' } });
    await problem(await call(`/v1/rectification-tasks/${taskB.id}/accept`, await registry.token(), { body: {} }), 409, 'conflict');

    const request = await ok<{ state: string; history: { action: string; to: string; actor: string; ledgerTransactionId: string | null }[] }>(
      await call(`/v1/me/rights-requests/${requestId}`, an),
    );
    expect(request.state).toBe('COMPLETED');
    expect(request.history.map((h) => [h.action, h.actor])).toEqual([
      ['file', 'citizen'],
      ['acknowledge', 'custodian'],
      ['start', 'custodian'],
      ['complete', 'custodian'],
    ]);
    let history = request.history;
    for (let i = 0; i < 100 && history.some((h) => h.ledgerTransactionId === null); i++) {
      await new Promise((r) => setTimeout(r, 100));
      history = (await ok<typeof request>(await call(`/v1/me/rights-requests/${requestId}`, an))).history;
    }
    expect(history.every((h) => h.ledgerTransactionId !== null)).toBe(true);
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('rights', 'GetRightsRequest', requestId)).toString()) as { state: string }[];
    expect(onLedger.map((s) => s.state)).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'COMPLETED']);

    const tasks = await ok<{ items: Task[] }>(await call(`/v1/me/rectifications/${requestId}`, an));
    expect(tasks.items.map((t) => t.status).sort()).toEqual(['ACCEPTED', 'REJECTED']);
    // B's record was not changed by its rejection.
    const versionsB = await stack.api.sql`select version from record_versions where record_id = ${recordB}`;
    expect(versionsB).toHaveLength(1);
  });

  it('7. precedence follows the latest statement: a newer deposit by B is served over A’s correction', async () => {
    await ok(
      await call('/v1/records', await registry.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hải Phòng' } } }),
      201,
    );
    expect(await servedProvince()).toBe('Hải Phòng');
  });

  it('8. when every custodian rejects, the request is refused with the first custodian’s reason', async () => {
    const filed = await ok<{ request: { id: string }; tasks: Task[] }>(
      await call('/v1/me/rectifications', an, { body: { corrections: { 'residence.province': 'Huế' } } }),
      201,
    );
    expect(filed.tasks).toHaveLength(3); // A's record, B's first and B's new one
    // One open RECTIFY request at a time.
    await problem(await call('/v1/me/rectifications', an, { body: { corrections: { 'residence.province': 'Huế' } } }), 409, 'conflict');
    const ownTasks = async (org: TestOrganization) =>
      (await ok<{ items: Task[] }>(await call('/v1/rectification-tasks?status=OPEN', await org.token()))).items.filter((t) => t.requestId === filed.request.id);
    for (const t of await ownTasks(hospital))
      await ok(await call(`/v1/rectification-tasks/${t.id}/reject`, await hospital.token(), { body: { reason: 'LEGAL_OBLIGATION' } }));
    for (const t of await ownTasks(registry))
      await ok(await call(`/v1/rectification-tasks/${t.id}/reject`, await registry.token(), { body: { reason: 'RIGHTS_OF_OTHERS' } }));
    const request = await ok<{ state: string; refusal: { reason: string } | null }>(await call(`/v1/me/rights-requests/${filed.request.id}`, an));
    expect(request).toMatchObject({ state: 'REFUSED', refusal: { reason: 'LEGAL_OBLIGATION' } });
    expect(await servedProvince()).toBe('Hải Phòng');
    // Another citizen cannot read this request's tasks.
    await problem(await call(`/v1/me/rectifications/${filed.request.id}`, await citizenToken(stack, '079188004321')), 404, 'not_found');
  });

  it('9. once the operator closes the request, its open tasks can no longer change the record', async () => {
    const filed = await ok<{ request: { id: string }; tasks: Task[] }>(
      await call('/v1/me/rectifications', an, { body: { corrections: { 'residence.streetAddress': '9 Trần Phú' } } }),
      201,
    );
    expect(filed.tasks).toHaveLength(1); // only A's record holds the street address
    const operator = (
      (await (
        await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"operator"}' })
      ).json()) as {
        access_token: string;
      }
    ).access_token;
    await ok(await call(`/v1/rights-requests/${filed.request.id}/refuse`, operator, { body: { reason: 'IDENTITY_NOT_VERIFIED' } }));
    await problem(await call(`/v1/rectification-tasks/${filed.tasks[0]!.id}/accept`, await hospital.token(), { body: {} }), 409, 'conflict');
    await problem(
      await call(`/v1/rectification-tasks/${filed.tasks[0]!.id}/reject`, await hospital.token(), { body: { reason: 'LEGAL_OBLIGATION' } }),
      409,
      'conflict',
    );
    const versions = await stack.api.sql`select version from record_versions where record_id = ${recordA}`;
    expect(versions).toHaveLength(2);
  });
});
