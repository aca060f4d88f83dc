import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, startStack, type TestOrganization, type TestStack } from '../stack.js';

/** Citizens for the statistics: 12 in Hà Nội, 3 in Huế (a cell under the minimum cohort of 10). */
const HANOI = Array.from({ length: 12 }, (_, i) => String(1_100_000_000 + i).padStart(12, '0'));
const HUE = Array.from({ length: 3 }, (_, i) => String(1_200_000_000 + i).padStart(12, '0'));

interface Problem {
  code: string;
  detail: string;
  flags?: { code: string }[];
}
interface ProductView {
  id: string;
  status: string;
  termsHash: string | null;
  prelistingFlags?: { code: string; severity: string }[];
}
interface QueryAnswer {
  cells: { province?: string; sex?: string; count: number }[];
  suppressedCells: number;
  minCohortSize: number;
  noise: { epsilon: number } | null;
  metering: { eventId: string; units: number; amountDong: string; replayed: boolean; leafIndex: number | null };
}
interface Invoice {
  licenceId: string;
  productKind: string;
  units: number;
  totalDong: string;
  split: Record<'provider' | 'operator' | 'stateBudget' | 'citizens', string>;
  status: string;
  anchor: { transactionId: string } | null;
}

const terms = (over: Record<string, unknown> = {}) => ({
  permittedPurposes: ['academic_research', 'public_service_delivery'],
  durationDays: 365,
  prohibitedActions: ['re_identification', 'resale', 'linkage'],
  crossBorder: false,
  attribution: true,
  minCohortSize: 10,
  ...over,
});
const aggregateProduct = (over: Record<string, unknown> = {}) => ({
  title: { vi: 'Thống kê bảo hiểm y tế theo tỉnh', en: 'Health insurance by province' },
  description: {
    vi: 'Số người theo tỉnh, giới tính, nhóm tuổi và tình trạng bảo hiểm y tế.',
    en: 'People by province, sex, age band and health-insurance status.',
  },
  kind: 'AGGREGATE',
  outputSchema: { type: 'object', properties: { cells: { type: 'array' } } },
  terms: terms({ quota: { units: 5, per: 'MONTH' } }),
  plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '2000' }],
  aggregate: { dimensions: ['province', 'sex', 'ageBand', 'insuranceStatus'] },
  ...over,
});

describe('the data exchange, end to end', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let provider: TestOrganization;
  let buyer: TestOrganization;
  let stranger: TestOrganization;
  let operator: string;
  let product: ProductView;
  let licenceId: string;

  const call = async (path: string, token: string | undefined, init: { method?: string; body?: unknown; key?: string } = {}) =>
    fetch(stack.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.key ? { 'idempotency-key': init.key } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const ok = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const refused = async (res: Response | Promise<Response>, status: number, code: string): Promise<Problem> => {
    const r = await res;
    const body = (await r.json()) as Problem;
    expect([r.status, body.code], body.detail).toEqual([status, code]);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    return body;
  };
  const ledger = async (contract: string, fn: string, ...args: string[]) =>
    JSON.parse(Buffer.from(await stack.api.ledger.evaluate(contract, fn, ...args)).toString());
  const list = async (p: ProductView) => {
    await ok(call(`/v1/products/${p.id}/submit`, await provider.token(), { method: 'POST' }));
    return ok<ProductView>(call(`/v1/products/${p.id}/approve`, operator, { method: 'POST' }));
  };
  const license = async (p: ProductView, planId: string, purpose = 'academic_research', who = buyer) =>
    (await ok<{ id: string }>(call('/v1/licences', await who.token(), { body: { productId: p.id, planId, purpose, acceptTerms: p.termsHash } }), 201)).id;
  const query = async (productId: string, licence: string, body: Record<string, unknown> = {}, key?: string) =>
    call(`/v1/products/${productId}/query`, await buyer.token(), { body: { licenceId: licence, groupBy: ['province'], ...body }, ...(key ? { key } : {}) });

  beforeAll(async () => {
    stack = await startStack();
    [custodian, provider, buyer, stranger] = await Promise.all([
      registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội Việt Nam'),
      registerOrganization(stack, ['provider'], 'Trung tâm Dữ liệu Y tế'),
      registerOrganization(stack, ['consumer'], 'Công ty Khởi nghiệp Sức Khỏe'),
      registerOrganization(stack, ['consumer'], 'Công ty Khác'),
    ]);
    operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) })
      ).json()) as { access_token: string }
    ).access_token;
    const token = await custodian.token();
    const deposit = (nationalId: string, category: string, fields: Record<string, unknown>) =>
      ok(call('/v1/records', token, { body: { subject: { nationalId }, category, fields } }), 201);
    const people = [...HANOI.map((id) => [id, 'Hà Nội'] as const), ...HUE.map((id) => [id, 'Thừa Thiên Huế'] as const)];
    for (let i = 0; i < people.length; i += 5) {
      await Promise.all(
        people.slice(i, i + 5).map(async ([id, province], k) => {
          await deposit(id, 'identity', { fullName: 'Công dân Thử', dateOfBirth: `19${80 + ((i + k) % 10)}-05-01`, sex: (i + k) % 2 ? 'female' : 'male' });
          await deposit(id, 'residence', { province, streetAddress: '1 Phố Thử' });
          await deposit(id, 'health_insurance', { status: 'ACTIVE', cardNumber: 'HN401000000' });
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('runs the pre-listing check: terms permitting re-identification or resale, without purposes or a cohort size, cannot be submitted', async () => {
    const draft = await ok<ProductView>(
      call('/v1/products', await provider.token(), {
        body: aggregateProduct({ terms: terms({ permittedPurposes: [], prohibitedActions: ['linkage'], minCohortSize: undefined }) }),
      }),
      201,
    );
    expect(draft.status).toBe('DRAFT');
    expect(draft.prelistingFlags!.map((f) => f.code)).toEqual(['reidentification_permitted', 'resale_permitted', 'missing_purposes', 'no_minimum_cohort']);
    const problem = await refused(call(`/v1/products/${draft.id}/submit`, await provider.token(), { method: 'POST' }), 422, 'prelisting_check_failed');
    expect(problem.flags!.map((f) => f.code)).toContain('resale_permitted');
    await expect(stack.api.ledger.evaluate('products', 'GetProduct', draft.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists: draft → submit → operator rejects with a reason → resubmit → approve; the public catalogue shows only listed products', async () => {
    await refused(call('/v1/products', await buyer.token(), { body: aggregateProduct() }), 403, 'forbidden'); // a consumer is not a provider
    await refused(call('/v1/products', await provider.token(), { body: { ...aggregateProduct(), kind: 'CONSENTED' } }), 400, 'invalid_request');
    product = await ok<ProductView>(call('/v1/products', await provider.token(), { body: aggregateProduct() }), 201);
    expect(product.prelistingFlags).toEqual([]);
    const hidden = await ok<{ items: ProductView[] }>(call('/v1/products', undefined));
    expect(hidden.items.map((p) => p.id)).not.toContain(product.id);
    await refused(call(`/v1/products/${product.id}`, undefined), 404, 'not_found');

    expect((await ok<ProductView>(call(`/v1/products/${product.id}/submit`, await provider.token(), { method: 'POST' }))).status).toBe('PENDING_REVIEW');
    await refused(call(`/v1/products/${product.id}/approve`, await provider.token(), { method: 'POST' }), 403, 'forbidden');
    const queue = await ok<{ items: ProductView[] }>(call('/v1/products?status=PENDING_REVIEW', operator));
    expect(queue.items.map((p) => p.id)).toContain(product.id);
    await refused(call(`/v1/products/${product.id}/reject`, operator, { body: { reason: 'Ông An nói không' } }), 400, 'invalid_request');
    expect(await ok(call(`/v1/products/${product.id}/reject`, operator, { body: { reason: 'unclear_terms' } }))).toMatchObject({
      status: 'DRAFT',
      rejectionReason: 'unclear_terms',
    });
    product = await list(product);
    expect(product.status).toBe('LISTED');
    expect(await ledger('products', 'GetProduct', product.id)).toMatchObject({ status: 'LISTED', termsHash: product.termsHash });

    const found = await ok<{ items: ProductView[]; total: number }>(call('/v1/products?q=insurance&kind=AGGREGATE&limit=5', undefined));
    expect(found.items.map((p) => p.id)).toEqual([product.id]);
    expect(found.items[0]).not.toHaveProperty('prelistingFlags');
    expect((await ok<{ total: number }>(call('/v1/products?q=không-có-đâu', undefined))).total).toBe(0);
    await ok(call(`/v1/products/${product.id}`, undefined));
  });

  it('licenses a verified buyer on the ledger, for a permitted purpose and the terms it accepted', async () => {
    await refused(
      call('/v1/licences', await buyer.token(), {
        body: { productId: product.id, planId: 'per-query', purpose: 'academic_research', acceptTerms: '0'.repeat(64) },
      }),
      409,
      'conflict',
    );
    await refused(
      call('/v1/licences', await buyer.token(), { body: { productId: product.id, planId: 'per-query', purpose: 'marketing', acceptTerms: product.termsHash } }),
      403,
      'purpose_not_permitted',
    );
    await refused(
      call('/v1/licences', await provider.token(), {
        body: { productId: product.id, planId: 'per-query', purpose: 'academic_research', acceptTerms: product.termsHash },
      }),
      403,
      'forbidden',
    );
    licenceId = await license(product, 'per-query');
    expect(await ledger('licences', 'GetLicence', licenceId)).toMatchObject({
      status: 'ACTIVE',
      buyerOrgId: buyer.id,
      productId: product.id,
      termsHash: product.termsHash,
    });
  });

  it('answers statistics with small cells suppressed and opted-out citizens left out, metered at the plan price', async () => {
    const before = await ok<QueryAnswer>(query(product.id, licenceId));
    expect(before.cells).toEqual([{ province: 'Hà Nội', count: 12 }]);
    expect(before.suppressedCells).toBe(1); // Huế, 3 people
    expect(before.metering).toMatchObject({ units: 1, amountDong: '2000', replayed: false });
    expect(before.metering.leafIndex).toEqual(expect.any(Number)); // its leaf in the verifiable access log
    // The metering event records that leaf, written in the leaf's own transaction, and the leaf names the event.
    const [linked] = await stack.api.sql<{ leaf_index: string; entry: string }[]>`
      select m.leaf_index, l.entry from metering_events m join log_leaves l on l.leaf_index = m.leaf_index where m.id = ${before.metering.eventId}`;
    expect(Number(linked!.leaf_index)).toBe(before.metering.leafIndex);
    expect(JSON.parse(linked!.entry)).toMatchObject({ kind: 'licence_use', meteringId: before.metering.eventId });

    const citizen = await citizenToken(stack, HANOI[0]!);
    expect(await ok(call('/v1/me/preferences', citizen, { method: 'PUT', body: { statisticsOptOut: true } }))).toEqual({ statisticsOptOut: true });
    expect(await ok(call('/v1/me/preferences', citizen))).toEqual({ statisticsOptOut: true });
    const after = await ok<QueryAnswer>(query(product.id, licenceId));
    expect(after.cells).toEqual([{ province: 'Hà Nội', count: 11 }]);

    const bySex = await ok<QueryAnswer>(query(product.id, licenceId, { groupBy: ['province', 'sex'] }));
    expect(bySex.cells).toEqual([]); // 5 and 6 in Hà Nội, 1 and 2 in Huế: every cell under 10
    expect(bySex.suppressedCells).toBe(4);
    await refused(query(product.id, licenceId, { groupBy: ['nationalId'] }), 400, 'invalid_request');
  });

  it('bills a retried query once: the same Idempotency-Key, even sent five times at once, is one metered call', async () => {
    const first = await ok<QueryAnswer>(query(product.id, licenceId, {}, 'retry-1'));
    const again = await ok<QueryAnswer>(query(product.id, licenceId, {}, 'retry-1'));
    expect(again.metering.eventId).toBe(first.metering.eventId);
    const events = await stack.api.sql<{ n: number }[]>`select count(*)::int as n from metering_events where licence_id = ${licenceId}`;
    expect(events[0]!.n).toBe(4);
    // The quota has 5 units and 4 are used: five concurrent retries of one new request take exactly one.
    const token = await buyer.token();
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${stack.url}/v1/products/${product.id}/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'race-1' },
          body: JSON.stringify({ licenceId, groupBy: ['province'] }),
        }),
      ),
    );
    expect(racing.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(racing.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    const after = await stack.api.sql<{ n: number }[]>`select count(*)::int as n from metering_events where licence_id = ${licenceId}`;
    expect(after[0]!.n).toBe(5);
  });

  it('refuses the call past the quota with 429 quota_exceeded, and shows the usage to the buyer only', async () => {
    const problem = await refused(query(product.id, licenceId), 429, 'quota_exceeded');
    expect(problem.detail).toMatch(/5 units/);
    const usage = await ok<{ windows: { window: string; units: number }[]; periods: { calls: number; units: number; amountDong: string }[] }>(
      call(`/v1/licences/${licenceId}/usage`, await buyer.token()),
    );
    expect(usage.windows).toEqual([{ window: `terms:${new Date().toISOString().slice(0, 7)}`, units: 5 }]);
    expect(usage.periods[0]).toMatchObject({ calls: 5, units: 5, amountDong: '10000' });
    await refused(call(`/v1/licences/${licenceId}/usage`, await stranger.token()), 404, 'not_found');
    await ok(call(`/v1/licences/${licenceId}/usage`, await provider.token())); // the product's provider sees it
  });

  it("splits the month's invoice between provider, operator and state budget, summing to the total", async () => {
    const period = new Date().toISOString().slice(0, 7);
    const mine = await ok<{ items: Invoice[]; roundingRule: string }>(call(`/v1/invoices?period=${period}`, await buyer.token()));
    const invoice = mine.items.find((i) => i.licenceId === licenceId)!;
    expect(invoice).toMatchObject({
      units: 5,
      totalDong: '10000',
      status: 'OPEN',
      split: { stateBudget: '1000', operator: '500', citizens: '0', provider: '8500' },
    });
    const parts = Object.values(invoice.split).reduce((a, b) => a + BigInt(b), 0n);
    expect(parts).toBe(BigInt(invoice.totalDong));
    expect(mine.roundingRule).toMatch(/largest remainder/);
    expect((await ok<{ items: Invoice[] }>(call(`/v1/invoices?period=${period}`, await stranger.token()))).items).toEqual([]);
    expect((await ok<{ items: Invoice[] }>(call(`/v1/invoices?period=${period}`, await provider.token()))).items.map((i) => i.licenceId)).toContain(licenceId);
  });

  it('stops serving a suspended product, and serves it again once reinstated', async () => {
    const p = await list(
      await ok<ProductView>(call('/v1/products', await provider.token(), { body: aggregateProduct({ terms: terms({ quota: null }) }) }), 201),
    );
    const l = await license(p, 'per-query');
    await ok(query(p.id, l));
    expect((await ok<ProductView>(call(`/v1/products/${p.id}/suspend`, operator, { method: 'POST' }))).status).toBe('SUSPENDED');
    await refused(query(p.id, l), 403, 'product_not_serving');
    await refused(
      call('/v1/licences', await buyer.token(), { body: { productId: p.id, planId: 'per-query', purpose: 'academic_research', acceptTerms: p.termsHash } }),
      403,
      'product_not_serving',
    );
    await ok(call(`/v1/products/${p.id}/reinstate`, operator, { method: 'POST' }));
    await ok(query(p.id, l));
    await ok(call(`/v1/products/${p.id}/delist`, operator, { method: 'POST' }));
    await refused(query(p.id, l), 403, 'product_not_serving');
  });

  it('stops access once the buyer cancels its licence', async () => {
    const p = await list(
      await ok<ProductView>(call('/v1/products', await provider.token(), { body: aggregateProduct({ terms: terms({ quota: null }) }) }), 201),
    );
    const l = await license(p, 'per-query');
    await refused(call(`/v1/licences/${l}/cancel`, await stranger.token(), { method: 'POST' }), 404, 'not_found');
    expect((await ok<{ status: string }>(call(`/v1/licences/${l}/cancel`, await buyer.token(), { method: 'POST' }))).status).toBe('CANCELLED');
    await refused(query(p.id, l), 403, 'licence_not_active');
    expect((await ledger('licences', 'GetLicence', l)).status).toBe('CANCELLED');
  });

  it("adds Laplace noise and refuses once the licence's privacy budget is spent", async () => {
    const p = await list(
      await ok<ProductView>(
        call('/v1/products', await provider.token(), {
          body: aggregateProduct({
            terms: terms({ quota: null }),
            aggregate: { dimensions: ['province'], privacy: { epsilonPerQuery: 0.4, budgetPerLicence: 1 } },
          }),
        }),
        201,
      ),
    );
    const l = await license(p, 'per-query');
    const answers = [await ok<QueryAnswer>(query(p.id, l)), await ok<QueryAnswer>(query(p.id, l))];
    for (const a of answers) {
      expect(a.noise).toEqual({ mechanism: 'laplace', epsilon: 0.4 });
      expect(a.cells.every((c) => Number.isInteger(c.count) && c.count >= 0)).toBe(true);
    }
    await refused(query(p.id, l), 403, 'privacy_budget_exhausted'); // 0.4 + 0.4 + 0.4 > 1
    const licence = await ok<{ privacyBudget: { epsilon: number; spent: number; remaining: number } }>(call(`/v1/licences/${l}`, await buyer.token()));
    expect(licence.privacyBudget).toEqual({ epsilon: 1, spent: 0.8, remaining: 0.2 });
    const usage = await ok<{ periods: { calls: number }[] }>(call(`/v1/licences/${l}/usage`, await buyer.token()));
    expect(usage.periods[0]!.calls).toBe(2); // the refused query was not billed
  });

  it('meters consented reads per record and shares their revenue with the citizens', async () => {
    const p = await list(
      await ok<ProductView>(
        call('/v1/products', await provider.token(), {
          body: {
            title: { vi: 'Xác minh nơi cư trú', en: 'Residence check' },
            description: { vi: 'Tỉnh cư trú, với sự đồng ý của công dân.', en: "Province of residence, with the citizen's consent." },
            kind: 'CONSENTED',
            outputSchema: { type: 'object', properties: { 'residence.province': { type: 'string' } } },
            terms: terms({ permittedPurposes: ['credit_scoring'], minCohortSize: undefined }),
            plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '1500' }],
            consented: { purpose: 'credit_scoring', fields: ['residence.province'] },
          },
        }),
        201,
      ),
    );
    const l = await license(p, 'per-record', 'credit_scoring');
    const consent = await ok<{ id: string }>(
      call('/v1/consents', await buyer.token(), {
        body: {
          subject: { nationalId: HANOI[1] },
          purpose: 'credit_scoring',
          fields: ['residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 10, per: 'DAY' },
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 30,
          justification: 'Thẩm định hồ sơ vay HS-2026-0099',
        },
      }),
      201,
    );
    await refused(call(`/v1/products/${p.id}/records/${consent.id}?licenceId=${l}`, await buyer.token()), 403, 'consent_not_active'); // not yet approved: nothing billed
    await ok(call(`/v1/consents/${consent.id}/approve`, await citizenToken(stack, HANOI[1]!), { body: {} }));
    const read = async (key?: string) =>
      ok<{ fields: Record<string, unknown>; metering: QueryAnswer['metering'] }>(
        fetch(`${stack.url}/v1/products/${p.id}/records/${consent.id}?licenceId=${l}`, {
          headers: { authorization: `Bearer ${await buyer.token()}`, ...(key ? { 'idempotency-key': key } : {}) },
        }),
      );
    const first = await read('read-1');
    expect(first.fields).toEqual({ 'residence.province': 'Hà Nội' });
    expect(first.metering).toMatchObject({ units: 1, amountDong: '1500', replayed: false });
    expect((await read('read-1')).metering).toMatchObject({ eventId: first.metering.eventId, replayed: true });
    await read();
    // A second citizen's record, read once.
    const second = await ok<{ id: string }>(
      call('/v1/consents', await buyer.token(), {
        body: {
          subject: { nationalId: HANOI[2] },
          purpose: 'credit_scoring',
          fields: ['residence.province'],
          mode: 'ONCE',
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 30,
          justification: 'Thẩm định hồ sơ vay HS-2026-0100',
        },
      }),
      201,
    );
    await ok(call(`/v1/consents/${second.id}/approve`, await citizenToken(stack, HANOI[2]!), { body: {} }));
    await ok(call(`/v1/products/${p.id}/records/${second.id}?licenceId=${l}`, await buyer.token()));
    const period = new Date().toISOString().slice(0, 7);
    const invoice = (await ok<{ items: Invoice[] }>(call(`/v1/invoices?period=${period}`, await buyer.token()))).items.find((i) => i.licenceId === l)!;
    expect(invoice).toMatchObject({
      productKind: 'CONSENTED',
      units: 3,
      totalDong: '4500',
      split: { stateBudget: '450', operator: '225', citizens: '1350', provider: '2475' },
    });
    // The citizens' share reaches them by records read: 2 of 3 and 1 of 3.
    const earned = async (nationalId: string) =>
      ok<{ totalDong: string; items: { records: number }[] }>(call(`/v1/me/earnings?period=${period}`, await citizenToken(stack, nationalId)));
    expect(await earned(HANOI[1]!)).toMatchObject({ totalDong: '900', items: [{ records: 2 }] });
    expect(await earned(HANOI[2]!)).toMatchObject({ totalDong: '450', items: [{ records: 1 }] });
    expect(await earned(HANOI[3]!)).toEqual({ period, totalDong: '0', items: [] });
  });

  it('closes a finished month: each statement anchored on the ledger, its total checkable by buyer and provider', async () => {
    const now = new Date();
    const current = now.toISOString().slice(0, 7);
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
    await refused(call('/v1/invoices/close', operator, { body: { period: current } }), 400, 'invalid_request');
    await refused(call('/v1/invoices/close', await provider.token(), { body: { period: previous } }), 403, 'forbidden');
    // Time passes: the first licence's calls now belong to last month.
    await stack.api.sql`update metering_events set period = ${previous}, at = at - interval '31 days' where licence_id = ${licenceId}`;
    const closed = await ok<{ items: Invoice[] }>(call('/v1/invoices/close', operator, { body: { period: previous } }));
    const statement = closed.items.find((i) => i.licenceId === licenceId)!;
    expect(statement).toMatchObject({ status: 'ANCHORED', totalDong: '10000', units: 5 });
    expect(await ledger('licences', 'GetStatement', licenceId, previous)).toMatchObject({
      units: 5,
      amountDong: '10000',
      txId: statement.anchor!.transactionId,
    });
    // Closing again anchors nothing new; the buyer sees the anchored statement.
    await ok(call('/v1/invoices/close', operator, { body: { period: previous } }));
    const seen = (await ok<{ items: Invoice[] }>(call(`/v1/invoices?period=${previous}&verify=true`, await buyer.token()))).items.find(
      (i) => i.licenceId === licenceId,
    )!;
    expect(seen).toMatchObject({ status: 'ANCHORED', anchor: { transactionId: statement.anchor!.transactionId, matchesLedger: true } });
    // A total altered in the database no longer matches what the ledger holds.
    await stack.api.sql`update statements set amount_dong = 9999 where licence_id = ${licenceId} and period = ${previous}`;
    const altered = (await ok<{ items: Invoice[] }>(call(`/v1/invoices?period=${previous}&verify=true`, await provider.token()))).items.find(
      (i) => i.licenceId === licenceId,
    )!;
    expect(altered.anchor).toMatchObject({ matchesLedger: false });
    await stack.api.sql`update statements set amount_dong = 10000 where licence_id = ${licenceId} and period = ${previous}`;
  });

  it("publishes trade statistics: listed products, active licences, value traded and the state budget's due", async () => {
    const now = new Date();
    const current = now.toISOString().slice(0, 7);
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 7);
    const stats = await ok<{
      listedProducts: { total: number; byKind: Record<string, number> };
      activeLicences: number;
      periods: { period: string; calls: number; valueDong: string; stateBudgetDong: string; citizensDong: string }[];
    }>(call(`/v1/exchange/stats?from=${previous}&to=${current}`, undefined));
    expect(stats.listedProducts.byKind).toMatchObject({ AGGREGATE: 3, CONSENTED: 1 });
    expect(stats.activeLicences).toBe(4);
    const [last, now_] = stats.periods;
    expect(last).toMatchObject({ period: previous, calls: 5, valueDong: '10000', stateBudgetDong: '1000' });
    // This month: 2 + 2 queries at 2000 (suspension test, privacy test), 3 records at 1500.
    expect(now_).toMatchObject({ period: current, calls: 7, valueDong: '12500', stateBudgetDong: '1250', citizensDong: '1350' });
    await refused(call('/v1/exchange/stats?from=2026-13', undefined), 400, 'invalid_request');
  });
});
