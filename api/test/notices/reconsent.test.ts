import { createHash } from 'node:crypto';
import { canonicalJson } from '@citizen-vault/chaincode/rules';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, consentRequest, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from '../stack.js';

const AN = '001099077001';

type NoticeRef = { kind: string; key: string; version: number; hash: string };
type ConsentView = { id: string; status: string; purpose: string; notices: NoticeRef[]; supersedes: string | null };
type NoticeView = { kind: string; key: string; version: number; text: { vi: string; en: string }; textHash: string; leafIndex: number | null };
type Reconsent = { consentId: string; successorId: string | null; rule: string; changed: NoticeView[] };

/** Versioned notices, whole stack (Postgres, the devnet, HTTP): the versions shown are in the artefact; a material change asks again, and reads follow its rule. */
describe('versioned notices and re-consent', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let bank: TestOrganization;
  let other: TestOrganization;
  let an: string;
  let operator: string;
  const { call, ok } = requests(() => stack.url);

  const request = async (over: Record<string, unknown> = {}) =>
    ok<ConsentView>(await call('/v1/consents', await bank.token(), { body: consentRequest(AN, over) }), 201);
  const approve = async (id: string) => ok<ConsentView>(await call(`/v1/consents/${id}/approve`, an, { body: {} }));
  const read = async (id: string) => call(`/v1/consents/${id}/data`, await bank.token());
  const reconsents = async () => (await ok<{ items: Reconsent[] }>(await call('/v1/me/reconsents', an))).items;
  const mine = async () => (await ok<{ items: ConsentView[] }>(await call('/v1/me/consents', an))).items;
  const until = async <T>(what: () => Promise<T | undefined>, label: string): Promise<T> => {
    for (let i = 0; i < 100; i++) {
      const value = await what();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${label}`);
  };
  /** The open re-consent of `consentId` once its successor request is made (and not `not`, an earlier one). */
  const successorOf = (consentId: string, not?: string) =>
    until(async () => (await reconsents()).find((r) => r.consentId === consentId && r.successorId && r.successorId !== not), `a successor of ${consentId}`);

  beforeAll(async () => {
    stack = await startStack({ noticesIntervalMs: 500 });
    custodian = await registerOrganization(stack, ['custodian'], 'Công an tỉnh');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Thông Báo');
    other = await registerOrganization(stack, ['consumer'], 'Công ty Khác');
    an = await citizenToken(stack, AN);
    operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) })
      ).json()) as { access_token: string }
    ).access_token;
    await ok(
      await call('/v1/records', await custodian.token(), { body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Huế' } } }),
      201,
    );
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('a request names the notice versions it showed, by a hash of their exact text, and the signed artefact carries them', async () => {
    const consent = await request();
    expect(consent.notices.map((n) => [n.kind, n.key, n.version])).toEqual([
      ['purpose', 'credit_scoring', 1],
      ['field', 'residence.province', 1],
    ]);
    for (const ref of consent.notices) {
      const notice = await ok<NoticeView>(await call(`/v1/notices/${ref.kind}/${ref.key}/${ref.version}`, an));
      const recomputed = createHash('sha256')
        .update(canonicalJson({ kind: notice.kind, key: notice.key, version: notice.version, text: notice.text }))
        .digest('hex');
      expect(notice.textHash).toBe(recomputed);
      expect(ref.hash).toBe(recomputed);
    }
    const artefact = decodeJwt(await (await call(`/v1/consents/${consent.id}/artefact`, an)).text());
    expect(artefact.notices).toEqual(consent.notices);
    expect(consent.supersedes).toBeNull();
  });

  it('an organisation publishes its own notice only; the operator publishes purposes; bad input is a 4xx', async () => {
    const text = {
      vi: 'Ngân hàng dùng dữ liệu để thẩm định khoản vay và không chia sẻ cho bên thứ ba.',
      en: 'The bank uses the data to assess the loan and shares it with no third party.',
    };
    const first = await ok<{ notice: NoticeView; affectedConsents: number }>(
      await call(`/v1/notices/organization/${bank.id}`, await bank.token(), { body: { text, material: false } }),
      201,
    );
    expect([first.notice.version, first.affectedConsents]).toEqual([1, 0]);
    expect((await call(`/v1/notices/organization/${bank.id}`, await bank.token(), { body: { text, material: false } })).status).toBe(409);
    expect((await call(`/v1/notices/organization/${bank.id}`, await other.token(), { body: { text, material: false } })).status).toBe(404);
    expect((await call('/v1/notices/purpose/credit_scoring', await bank.token(), { body: { text, material: false } })).status).toBe(403);
    expect((await call('/v1/notices/purpose/credit_scoring', an, { body: { text, material: false } })).status).toBe(403);
    const noRule = await call('/v1/notices/purpose/credit_scoring', operator, { body: { text, material: true } });
    expect(noRule.status).toBe(400);
    expect(noRule.headers.get('content-type')).toContain('application/problem+json');
    expect((await call('/v1/notices/purpose/no_such_purpose', operator, { body: { text, material: false } })).status).toBe(404);
    expect((await call('/v1/notices/field/residence.nothing/1', an)).status).toBe(404);
    expect((await call('/v1/notices/colour/red', an)).status).toBe(400);
    const current = await ok<{ items: NoticeView[] }>(await call('/v1/notices?kind=organization', an));
    expect(current.items.find((n) => n.key === bank.id)?.version).toBe(1);
    // A new request shows the organisation's notice too.
    expect((await request()).notices.at(-1)).toMatchObject({ kind: 'organization', key: bank.id, version: 1 });
  });

  let continuing: ConsentView;
  let pending: ConsentView;
  let firstSuccessor: string;

  it('a material change with the rule "continue" asks again: reads go on, a successor request replaces it, and text it replaced cannot be approved', async () => {
    continuing = await approve((await request()).id);
    pending = await request(); // asked, not yet answered, under the text about to change
    expect((await read(continuing.id)).status).toBe(200);

    const published = await ok<{ notice: NoticeView; affectedConsents: number }>(
      await call('/v1/notices/purpose/credit_scoring', operator, {
        body: {
          text: { vi: 'Chấm điểm tín dụng, kể cả bằng mô hình tự động.', en: 'Credit scoring, including by automated models.' },
          material: true,
          rule: 'continue',
          changeSummary: { vi: 'Thêm chấm điểm tự động.', en: 'Adds automated scoring.' },
        },
      }),
      201,
    );
    expect(published.notice.version).toBe(2);
    expect(published.affectedConsents).toBe(1);

    const open = await successorOf(continuing.id);
    expect(open.rule).toBe('continue');
    expect(open.changed.map((n) => [n.kind, n.key, n.version])).toEqual([['purpose', 'credit_scoring', 2]]);
    firstSuccessor = open.successorId!;
    const successor = (await mine()).find((c) => c.id === firstSuccessor)!;
    expect(successor).toMatchObject({ status: 'REQUESTED', supersedes: continuing.id, purpose: 'credit_scoring' });
    expect(successor.notices[0]).toMatchObject({ kind: 'purpose', version: 2 });

    expect((await read(continuing.id)).status).toBe(200);
    const outdated = await call(`/v1/consents/${pending.id}/approve`, an, { body: {} });
    expect(outdated.status).toBe(409);
    expect(((await outdated.json()) as { code: string }).code).toBe('notice_outdated');

    // The version is in the verifiable log.
    const logged = await until(async () => {
      const v = await ok<NoticeView>(await call('/v1/notices/purpose/credit_scoring/2', an));
      return v.leafIndex === null ? undefined : v;
    }, 'the notice leaf');
    expect(logged.leafIndex).toBeGreaterThanOrEqual(0);
  });

  it('a crash after the successor request committed, before it was linked, makes no second request: the sweep finds it by its ref', async () => {
    await stack.api.sql`update reconsent_requests set successor_id = null where consent_id = ${continuing.id}`;
    const relinked = await successorOf(continuing.id);
    expect(relinked.successorId).toBe(firstSuccessor);
    expect((await mine()).filter((c) => c.supersedes === continuing.id)).toHaveLength(1);
  });

  let paused: ConsentView;

  it('a material change with the rule "pause" stops reads at once, and makes a pending successor outdated', async () => {
    paused = await approve((await request({ purpose: 'recruitment' })).id);
    expect((await read(paused.id)).status).toBe(200);
    const published = await ok<{ affectedConsents: number }>(
      await call(`/v1/notices/organization/${bank.id}`, await bank.token(), {
        body: {
          text: { vi: 'Ngân hàng có thể chuyển dữ liệu cho công ty con.', en: 'The bank may pass the data to its subsidiaries.' },
          material: true,
          rule: 'pause',
        },
      }),
      201,
    );
    expect(published.affectedConsents).toBe(2);
    for (const id of [continuing.id, paused.id]) {
      const refused = await read(id);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe('reconsent_required');
    }
    const events = await ok<{ items: { consentId: string; outcome: string }[] }>(await call('/v1/me/access-events', an));
    expect(events.items.find((e) => e.consentId === paused.id)?.outcome).toBe('DENIED');

    const again = await successorOf(continuing.id, firstSuccessor);
    expect(again.rule).toBe('pause');
    expect(again.changed.map((n) => n.kind).sort()).toEqual(['organization', 'purpose']);
    expect((await call(`/v1/consents/${firstSuccessor}/approve`, an, { body: {} })).status).toBe(409);
  });

  it('approving the successor revokes the consent it replaces; the consumer reads under the new one', async () => {
    const open = await successorOf(continuing.id, firstSuccessor);
    const approved = await approve(open.successorId!);
    expect(approved.status).toBe('ACTIVE');
    expect((await mine()).find((c) => c.id === continuing.id)?.status).toBe('REVOKED');
    expect((await reconsents()).some((r) => r.consentId === continuing.id)).toBe(false);
    expect((await read(open.successorId!)).status).toBe(200);
    expect((await read(continuing.id)).status).toBe(403);
  });

  it('rejecting the successor revokes the old consent too: the citizen declined the changed terms', async () => {
    const open = await successorOf(paused.id);
    expect((await ok<ConsentView>(await call(`/v1/consents/${open.successorId}/reject`, an, { method: 'POST' }))).status).toBe('REJECTED');
    expect((await mine()).find((c) => c.id === paused.id)?.status).toBe('REVOKED');
    expect(await reconsents()).toEqual([]);
  });

  it('a new request after the changes shows the current versions and can be approved', async () => {
    const fresh = await request();
    expect(fresh.notices.map((n) => [n.kind, n.version])).toEqual([
      ['purpose', 2],
      ['field', 1],
      ['organization', 2],
    ]);
    expect((await approve(fresh.id)).status).toBe('ACTIVE');
  });
});
