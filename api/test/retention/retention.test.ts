import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentRequest, citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from '../stack.js';

const AN = '001099012345';
const BINH = '079188004321';
const DAY = 86_400_000;

interface Read {
  accessEventId: string;
  consentId: string;
  consumer: { id: string; name: string };
  readAt: string;
  retentionDays: number;
  deleteBy: string;
  deletionConfirmedAt: string | null;
  state: 'CONFIRMED' | 'PENDING' | 'OVERDUE';
  confirmedLate: boolean;
}
interface ReadPage {
  items: Read[];
  nextCursor: string;
}

describe("retention: each read's deletion deadline from the consent at read time, confirmations, and the overdue ones", () => {
  let stack: TestStack;
  let bank: TestOrganization;
  let insurer: TestOrganization;
  let an: string;
  let binh: string;
  let auditor: string;
  let bankConsent: string;
  let insurerConsent: string;
  const { call, ok } = requests(() => stack.url);
  const problem = async (res: Response, status: number, code: string): Promise<void> => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((JSON.parse(body) as { code: string }).code).toBe(code);
  };
  const consent = async (org: TestOrganization, retentionDays: number): Promise<string> => {
    const { id } = await ok<{ id: string }>(
      await call('/v1/consents', await org.token(), {
        body: consentRequest(AN, { retentionDays }),
      }),
      201,
    );
    await ok(await call(`/v1/consents/${id}/approve`, an, { body: {} }));
    return id;
  };
  const reads = async (org: TestOrganization, query = ''): Promise<Read[]> =>
    (await ok<ReadPage>(await call(`/v1/retention/reads${query}`, await org.token()))).items;

  beforeAll(async () => {
    stack = await startStack();
    const custodian = await registerOrganization(stack, ['custodian'], 'Công an tỉnh');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Số An Tâm');
    insurer = await registerOrganization(stack, ['consumer'], 'Bảo hiểm Bình An');
    an = await citizenToken(stack, AN);
    binh = await citizenToken(stack, BINH);
    auditor = (
      (await (
        await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' })
      ).json()) as { access_token: string }
    ).access_token;
    await ok(
      await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nội' } } }),
      201,
    );
    bankConsent = await consent(bank, 0); // keep nothing: every read is due for deletion at once
    insurerConsent = await consent(insurer, 30);
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
  });

  it("1. each granted read's deadline is its time plus the consent's retentionDays", async () => {
    for (let i = 0; i < 2; i++) await ok(await call(`/v1/consents/${bankConsent}/data`, await bank.token()));
    await ok(await call(`/v1/consents/${insurerConsent}/data`, await insurer.token()));
    await new Promise((r) => setTimeout(r, 20));

    const bankReads = await reads(bank);
    expect(bankReads).toHaveLength(2);
    for (const r of bankReads) {
      expect(r).toMatchObject({ consentId: bankConsent, retentionDays: 0, state: 'OVERDUE', deletionConfirmedAt: null });
      expect(r.deleteBy).toBe(r.readAt);
    }
    const [insurerRead] = await reads(insurer);
    expect(insurerRead).toMatchObject({ consentId: insurerConsent, retentionDays: 30, state: 'PENDING' });
    expect(new Date(insurerRead!.deleteBy).getTime() - new Date(insurerRead!.readAt).getTime()).toBe(30 * DAY);
  });

  it('2. the deadline is fixed at read time: reads made before a change keep theirs, reads after get the new one', async () => {
    const before = await reads(insurer);
    await stack.api.sql`update consents set retention_days = 7 where id = ${insurerConsent}`;
    await ok(await call(`/v1/consents/${insurerConsent}/data`, await insurer.token()));
    const after = await reads(insurer);
    expect(after).toHaveLength(2);
    const old = after.find((r) => r.accessEventId === before[0]!.accessEventId)!;
    expect(old).toEqual(before[0]);
    const fresh = after.find((r) => r.accessEventId !== before[0]!.accessEventId)!;
    expect(fresh.retentionDays).toBe(7);
    expect(new Date(fresh.deleteBy).getTime() - new Date(fresh.readAt).getTime()).toBe(7 * DAY);
    await stack.api.sql`update consents set retention_days = 30 where id = ${insurerConsent}`;
  });

  it('3. a consumer confirms the deletion of its own read, idempotently; another consumer cannot', async () => {
    const [first] = await reads(bank);
    const confirmed = await ok<Read>(await call(`/v1/retention/reads/${first!.accessEventId}/deletion-confirmation`, await bank.token(), { body: {} }));
    expect(confirmed).toMatchObject({ accessEventId: first!.accessEventId, state: 'CONFIRMED', confirmedLate: true });
    expect(confirmed.deletionConfirmedAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 10));
    const again = await ok<Read>(await call(`/v1/retention/reads/${first!.accessEventId}/deletion-confirmation`, await bank.token(), { body: {} }));
    expect(again).toEqual(confirmed);

    await problem(await call(`/v1/retention/reads/${first!.accessEventId}/deletion-confirmation`, await insurer.token(), { body: {} }), 404, 'not_found');
    await problem(await call(`/v1/retention/reads/${crypto.randomUUID()}/deletion-confirmation`, await bank.token(), { body: {} }), 404, 'not_found');
    await problem(await call(`/v1/retention/reads/not-a-uuid/deletion-confirmation`, await bank.token(), { body: {} }), 400, 'invalid_request');
    await problem(await call(`/v1/retention/reads/${first!.accessEventId}/deletion-confirmation`, an, { body: {} }), 403, 'forbidden');

    expect((await reads(bank, '?state=CONFIRMED')).map((r) => r.accessEventId)).toEqual([first!.accessEventId]);
    expect((await reads(bank, '?state=OVERDUE')).map((r) => r.accessEventId)).not.toContain(first!.accessEventId);
    expect(await reads(insurer, '?state=OVERDUE')).toEqual([]);
  });

  it("4. the auditor's report lists the unconfirmed deletions past their deadline, and nothing else", async () => {
    const bankReads = await reads(bank);
    const unconfirmed = bankReads.filter((r) => r.state === 'OVERDUE').map((r) => r.accessEventId);
    expect(unconfirmed).toHaveLength(1);
    const report = await ok<ReadPage & { generatedAt: string }>(await call('/v1/audit/retention', auditor));
    expect(report.items.map((r) => r.accessEventId)).toEqual(unconfirmed);
    expect(report.items[0]).toMatchObject({ consumer: { id: bank.id, name: 'Ngân hàng Số An Tâm' }, state: 'OVERDUE' });
    const ofInsurer = await ok<ReadPage>(await call(`/v1/audit/retention?consumerOrgId=${insurer.id}`, auditor));
    expect(ofInsurer.items).toEqual([]);
    await problem(await call('/v1/audit/retention', an), 403, 'forbidden');
    await problem(await call('/v1/audit/retention', await bank.token()), 403, 'forbidden');
    await problem(await call('/v1/audit/retention?limit=0', auditor), 400, 'invalid_request');
  });

  it('5. the citizen sees every read of their data with its deadline and state, page by page; another citizen sees none', async () => {
    const first = await ok<ReadPage & { overdue: number }>(await call('/v1/me/retention?limit=2', an));
    expect(first.overdue).toBe(1);
    expect(first.items).toHaveLength(2);
    const rest = await ok<ReadPage & { overdue: number }>(await call(`/v1/me/retention?limit=2&cursor=${first.nextCursor}`, an));
    const all = [...first.items, ...rest.items];
    expect(rest.nextCursor).toBe('');
    expect(all).toHaveLength(4);
    expect(all.map((r) => r.state).sort()).toEqual(['CONFIRMED', 'OVERDUE', 'PENDING', 'PENDING']);
    expect(all.map((r) => r.readAt)).toEqual([...all.map((r) => r.readAt)].sort().reverse());
    const none = await ok<ReadPage & { overdue: number }>(await call('/v1/me/retention', binh));
    expect(none).toEqual({ items: [], nextCursor: '', overdue: 0 });
    await problem(await call('/v1/me/retention', await bank.token()), 403, 'forbidden');
    await problem(await call('/v1/me/retention?cursor=bogus', an), 400, 'invalid_request');
  });
});
