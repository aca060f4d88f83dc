import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, startStack, type TestOrganization, type TestStack } from '../../api/test/stack.js';

/**
 * Abuse of the exchange by a paying buyer and by a suspended provider (issue 14, items 1 and 3):
 * an Idempotency-Key buys one answer to one request, never other citizens' records for free; a
 * suspended provider's products stop being licensed and served.
 */
const ANH = '001099077001';
const BINH = '001099077002';

interface Problem {
  code: string;
  detail: string;
}
interface Read {
  subjectId: string;
  fields: Record<string, unknown>;
  metering: { eventId: string; replayed: boolean };
}

const terms = (purposes: string[]) => ({
  permittedPurposes: purposes,
  durationDays: 365,
  prohibitedActions: ['re_identification', 'resale'],
  crossBorder: false,
  attribution: true,
});
const consentedProduct = {
  title: { vi: 'Xác minh nơi cư trú', en: 'Residence check' },
  description: { vi: 'Tỉnh cư trú, với sự đồng ý của công dân.', en: "Province of residence, with the citizen's consent." },
  kind: 'CONSENTED',
  outputSchema: { type: 'object', properties: { 'residence.province': { type: 'string' } } },
  terms: terms(['credit_scoring']),
  plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '1500' }],
  consented: { purpose: 'credit_scoring', fields: ['residence.province'] },
};
const aggregateProduct = {
  title: { vi: 'Dân số theo tỉnh', en: 'People by province' },
  description: { vi: 'Số người theo tỉnh và giới tính.', en: 'People by province and sex.' },
  kind: 'AGGREGATE',
  outputSchema: { type: 'object', properties: { cells: { type: 'array' } } },
  terms: { ...terms(['academic_research']), minCohortSize: 10 },
  plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '2000' }],
  aggregate: { dimensions: ['province', 'sex'] },
};

describe('exchange abuse', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let provider: TestOrganization;
  let buyer: TestOrganization;
  let operator: string;

  const call = async (path: string, token: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    fetch(stack.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.key ? { 'idempotency-key': init.key } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const ok = async <T>(res: Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const refused = async (res: Promise<Response>, status: number, code: string): Promise<void> => {
    const r = await res;
    const body = (await r.json()) as Problem;
    expect([r.status, body.code], body.detail).toEqual([status, code]);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
  };
  const listed = async (owner: TestOrganization, body: unknown): Promise<{ id: string; termsHash: string }> => {
    const draft = await ok<{ id: string }>(call('/v1/products', await owner.token(), { body }), 201);
    await ok(call(`/v1/products/${draft.id}/submit`, await owner.token(), { method: 'POST' }));
    return ok(call(`/v1/products/${draft.id}/approve`, operator, { method: 'POST' }));
  };
  const license = async (p: { id: string; termsHash: string }, planId: string, purpose: string) =>
    call('/v1/licences', await buyer.token(), { body: { productId: p.id, planId, purpose, acceptTerms: p.termsHash } });
  const approvedConsent = async (nationalId: string): Promise<string> => {
    const { id } = await ok<{ id: string }>(
      call('/v1/consents', await buyer.token(), {
        body: {
          subject: { nationalId },
          purpose: 'credit_scoring',
          fields: ['residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 50, per: 'DAY' },
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 30,
          justification: 'Thẩm định hồ sơ vay',
        },
      }),
      201,
    );
    await ok(call(`/v1/consents/${id}/approve`, await citizenToken(stack, nationalId), { body: {} }));
    return id;
  };

  beforeAll(async () => {
    stack = await startStack();
    [custodian, provider, buyer] = await Promise.all([
      registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội'),
      registerOrganization(stack, ['provider'], 'Trung tâm Dữ liệu'),
      registerOrganization(stack, ['consumer'], 'Ngân hàng Mua'),
    ]);
    operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"operator"}' })
      ).json()) as { access_token: string }
    ).access_token;
    for (const [nationalId, province] of [
      [ANH, 'Hà Nội'],
      [BINH, 'Đà Nẵng'],
    ] as const) {
      await ok(
        call('/v1/records', await custodian.token(), {
          body: { subject: { nationalId }, category: 'residence', fields: { province, streetAddress: '1 Phố Thử' } },
        }),
        201,
      );
      await ok(
        call('/v1/records', await custodian.token(), {
          body: { subject: { nationalId }, category: 'identity', fields: { fullName: 'Công dân Thử', dateOfBirth: '1990-01-01', sex: 'female' } },
        }),
        201,
      );
    }
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('replays a consented read only for the same record: another citizen under the same key is 422, and every record delivered is billed and earned', async () => {
    const product = await listed(provider, consentedProduct);
    const licence = (await ok<{ id: string }>(license(product, 'per-record', 'credit_scoring'), 201)).id;
    const [anh, binh] = [await approvedConsent(ANH), await approvedConsent(BINH)];
    const read = async (consentId: string, key?: string) =>
      fetch(`${stack.url}/v1/products/${product.id}/records/${consentId}?licenceId=${licence}`, {
        headers: { authorization: `Bearer ${await buyer.token()}`, ...(key ? { 'idempotency-key': key } : {}) },
      });

    const first = await ok<Read>(read(anh, 'one-key'));
    expect(first.fields).toEqual({ 'residence.province': 'Hà Nội' });
    // The attack: the same key on another citizen's consent used to come back as a free "replay" of Bình's record.
    await refused(read(binh, 'one-key'), 422, 'idempotency_key_reused');
    const replay = await ok<Read>(read(anh, 'one-key'));
    expect(replay).toMatchObject({ subjectId: first.subjectId, fields: first.fields, metering: { eventId: first.metering.eventId, replayed: true } });
    const second = await ok<Read>(read(binh, 'another-key'));
    expect(second.fields).toEqual({ 'residence.province': 'Đà Nẵng' });

    const period = new Date().toISOString().slice(0, 7);
    const usage = await ok<{ periods: { calls: number }[] }>(call(`/v1/licences/${licence}/usage`, await buyer.token()));
    expect(usage.periods[0]!.calls).toBe(2); // two records delivered, two billed
    for (const nationalId of [ANH, BINH]) {
      const earned = await ok<{ items: { records: number }[] }>(call(`/v1/me/earnings?period=${period}`, await citizenToken(stack, nationalId)));
      expect(earned.items, nationalId).toMatchObject([{ records: 1 }]);
    }
  });

  it('replays an aggregate query only for the same query: a different one under the same key is 422', async () => {
    const product = await listed(provider, aggregateProduct);
    const licence = (await ok<{ id: string }>(license(product, 'per-query', 'academic_research'), 201)).id;
    const query = async (body: Record<string, unknown>, key: string) =>
      call(`/v1/products/${product.id}/query`, await buyer.token(), { body: { licenceId: licence, ...body }, key });
    const first = await ok<{ metering: { eventId: string } }>(query({ groupBy: ['province'] }, 'q-key'));
    await refused(query({ groupBy: ['sex'] }, 'q-key'), 422, 'idempotency_key_reused');
    await refused(query({ groupBy: ['province'], filters: { province: 'Hà Nội' } }, 'q-key'), 422, 'idempotency_key_reused');
    // The same query again is the first answer (kept by the POST idempotency layer or the meter), billed once.
    expect((await ok<{ metering: { eventId: string } }>(query({ groupBy: ['province'] }, 'q-key'))).metering.eventId).toBe(first.metering.eventId);
    const usage = await ok<{ periods: { calls: number }[] }>(call(`/v1/licences/${licence}/usage`, await buyer.token()));
    expect(usage.periods[0]!.calls).toBe(1);
  });

  it("suspends a suspended provider's listings, and stops licensing and serving them", async () => {
    const seller = await registerOrganization(stack, ['provider'], 'Nhà cung cấp bị đình chỉ');
    const product = await listed(seller, consentedProduct);
    const licence = (await ok<{ id: string }>(license(product, 'per-record', 'credit_scoring'), 201)).id;
    const consent = await approvedConsent(ANH);
    const read = async () =>
      fetch(`${stack.url}/v1/products/${product.id}/records/${consent}?licenceId=${licence}`, { headers: { authorization: `Bearer ${await buyer.token()}` } });
    expect((await read()).status).toBe(200);

    await ok(call(`/v1/organizations/${seller.id}/suspend`, operator, { method: 'POST' }));
    expect((await ok<{ status: string }>(call(`/v1/products/${product.id}`, operator))).status).toBe('SUSPENDED');
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('products', 'GetProduct', product.id)).toString()) as { status: string };
    expect(onLedger.status).toBe('SUSPENDED');
    await refused(license(product, 'per-record', 'credit_scoring'), 403, 'product_not_serving');
    await refused(read(), 403, 'product_not_serving');
  });

  it("checks the provider's own status when licensing and serving, even while its product still says LISTED", async () => {
    const seller = await registerOrganization(stack, ['provider'], 'Nhà cung cấp thứ hai');
    const product = await listed(seller, consentedProduct);
    const licence = (await ok<{ id: string }>(license(product, 'per-record', 'credit_scoring'), 201)).id;
    const consent = await approvedConsent(BINH);
    // As if the suspension had stopped between the organisation and its listings.
    await stack.api.sql`update organizations set status = 'SUSPENDED' where id = ${seller.id}`;
    await refused(license(product, 'per-record', 'credit_scoring'), 403, 'product_not_serving');
    await refused(
      fetch(`${stack.url}/v1/products/${product.id}/records/${consent}?licenceId=${licence}`, { headers: { authorization: `Bearer ${await buyer.token()}` } }),
      403,
      'product_not_serving',
    );
  });
});
