import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgMetering } from '../../src/exchange/pg-metering.js';
import { PgStatistics } from '../../src/exchange/pg-statistics.js';
import { registerOrganization, startStack, type TestOrganization, type TestStack } from '../stack.js';

const terms = (over: Record<string, unknown> = {}) => ({
  permittedPurposes: ['academic_research'],
  durationDays: 30,
  prohibitedActions: ['re_identification', 'resale'],
  crossBorder: false,
  attribution: true,
  minCohortSize: 10,
  quota: null,
  ...over,
});

describe('exchange limits: quotas under races, retries at the store, plans, expiry and who may do what', () => {
  let stack: TestStack;
  let provider: TestOrganization;
  let otherProvider: TestOrganization;
  let buyer: TestOrganization;
  let stranger: TestOrganization;
  let operator: string;

  const call = async (path: string, token: string | undefined, body?: unknown, method?: string) =>
    fetch(stack.url + path, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async <T>(res: Response | Promise<Response>, status = 200): Promise<T> => {
    const r = await res;
    const text = await r.text();
    expect(r.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  const code = async (res: Response | Promise<Response>) => {
    const r = await res;
    return [r.status, ((await r.json()) as { code: string }).code];
  };
  /** A listed aggregate product and a licence to it, with the given plans and terms. */
  const listed = async (plans: unknown[], over: Record<string, unknown> = {}, planId?: string, validUntil?: string) => {
    const draft = await ok<{ id: string }>(
      call('/v1/products', await provider.token(), {
        title: { vi: 'Thống kê thử', en: 'Test statistics' },
        description: { vi: 'Thử nghiệm giới hạn.', en: 'Limits under test.' },
        kind: 'AGGREGATE',
        outputSchema: { type: 'object' },
        terms: terms(over),
        plans,
        aggregate: { dimensions: ['province'] },
      }),
      201,
    );
    await ok(call(`/v1/products/${draft.id}/submit`, await provider.token(), {}));
    const product = await ok<{ id: string; termsHash: string }>(call(`/v1/products/${draft.id}/approve`, operator, {}));
    const licence = await ok<{ id: string }>(
      call('/v1/licences', await buyer.token(), {
        productId: product.id,
        planId: planId ?? (plans[0] as { id: string }).id,
        purpose: 'academic_research',
        acceptTerms: product.termsHash,
        ...(validUntil ? { validUntil } : {}),
      }),
      201,
    );
    return { productId: product.id, licenceId: licence.id };
  };

  beforeAll(async () => {
    stack = await startStack();
    [provider, otherProvider, buyer, stranger] = await Promise.all([
      registerOrganization(stack, ['provider'], 'Nhà cung cấp'),
      registerOrganization(stack, ['provider'], 'Nhà cung cấp khác'),
      registerOrganization(stack, ['consumer'], 'Người mua'),
      registerOrganization(stack, ['consumer'], 'Người lạ'),
    ]);
    operator = (
      (await (
        await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'operator' }) })
      ).json()) as { access_token: string }
    ).access_token;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('lets exactly the quota through when twelve different queries race for five units', async () => {
    const { productId, licenceId } = await listed([{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '1000' }], { quota: { units: 5, per: 'DAY' } });
    const token = await buyer.token();
    const statuses = await Promise.all(Array.from({ length: 12 }, async () => (await call(`/v1/products/${productId}/query`, token, { licenceId })).status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const [row] = await stack.api.sql<
      { n: number; dong: string }[]
    >`select count(*)::int as n, sum(amount_dong)::text as dong from metering_events where licence_id = ${licenceId}`;
    expect(row).toEqual({ n: 5, dong: '5000' });
  });

  it('records a use once when ten retries with one request key reach the store at the same moment', async () => {
    const { licenceId } = await listed([{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '700' }]);
    const metering = new PgMetering(stack.api.sql);
    const at = new Date();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        metering.meter({
          id: crypto.randomUUID(),
          licenceId,
          requestKey: 'same-key',
          requestHash: 'same-request',
          period: at.toISOString().slice(0, 7),
          units: 1,
          amountDong: 700n,
          epsilonMicro: 0n,
          windows: [],
          result: { i },
          at,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.outcome === 'metered')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'replayed')).toHaveLength(9);
    const ids = new Set(outcomes.map((o) => ('event' in o ? o.event.id : '')));
    expect(ids.size).toBe(1); // every retry sees the one record
  });

  it('keeps the statistics cube equal to the profiles under concurrent moves and opt-outs', async () => {
    const sql = stack.api.sql;
    const ids = (
      await sql<{ id: string }[]>`
      insert into subjects (id, national_id_index) select gen_random_uuid(), sha256(convert_to('cube-' || i, 'UTF8')) from generate_series(1, 40) i returning id`
    ).map((r) => r.id);
    const statistics = new PgStatistics(sql);
    const provinces = ['Hà Nội', 'Huế', 'Cần Thơ'];
    for (let round = 0; round < 4; round++) {
      // Citizens move between the same provinces in opposite directions at once, and some opt out or back in.
      await Promise.all(
        ids.map((id, i) =>
          i % 7 === round
            ? statistics.setOptOut(id, round % 2 === 0)
            : statistics.upsert(id, {
                province: provinces[(i + round) % 3]!,
                birthYear: 1980 + (i % 5),
                sex: i % 2 ? 'female' : 'male',
                insuranceStatus: 'ACTIVE',
              }),
        ),
      );
    }
    const cube = await sql`select province, birth_year, sex, insurance_status, n::int as n from statistics_cube where n > 0 order by 1, 2, 3, 4`;
    const truth = await sql`
      select coalesce(province, '') as province, coalesce(birth_year, 0) as birth_year, coalesce(sex, '') as sex, coalesce(insurance_status, '') as insurance_status, count(*)::int as n
      from statistics_profiles where not opted_out group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
    expect(cube.map((r) => ({ ...r }))).toEqual(truth.map((r) => ({ ...r })));
    expect((await sql`select count(*)::int as n from statistics_cube where n < 0`)[0]!.n).toBe(0);
  });

  it("includes a subscription's monthly fee in the invoice and holds its use to the plan's units", async () => {
    const { productId, licenceId } = await listed([{ id: 'monthly', kind: 'SUBSCRIPTION', priceDong: '3000000', includedUnits: 2 }]);
    const token = await buyer.token();
    await ok(call(`/v1/products/${productId}/query`, token, { licenceId }));
    await ok(call(`/v1/products/${productId}/query`, token, { licenceId }));
    expect(await code(call(`/v1/products/${productId}/query`, token, { licenceId }))).toEqual([429, 'quota_exceeded']);
    const period = new Date().toISOString().slice(0, 7);
    const invoice = (
      await ok<{ items: { licenceId: string; usageDong: string; subscriptionDong: string; totalDong: string; split: Record<string, string> }[] }>(
        call(`/v1/invoices?period=${period}`, token),
      )
    ).items.find((i) => i.licenceId === licenceId)!;
    expect(invoice).toMatchObject({
      usageDong: '0',
      subscriptionDong: '3000000',
      totalDong: '3000000',
      split: { stateBudget: '300000', operator: '150000', citizens: '0', provider: '2550000' },
    });
  });

  it('serves the free tier within its units, for 0 đồng', async () => {
    const { productId, licenceId } = await listed([{ id: 'free', kind: 'FREE', priceDong: '0', includedUnits: 1 }]);
    const answer = await ok<{ metering: { amountDong: string } }>(call(`/v1/products/${productId}/query`, await buyer.token(), { licenceId }));
    expect(answer.metering.amountDong).toBe('0');
    expect(await code(call(`/v1/products/${productId}/query`, await buyer.token(), { licenceId }))).toEqual([429, 'quota_exceeded']);
  });

  it('stops access when the licence expires', async () => {
    const { productId, licenceId } = await listed(
      [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '10' }],
      {},
      undefined,
      new Date(Date.now() + 2_000).toISOString(),
    );
    await ok(call(`/v1/products/${productId}/query`, await buyer.token(), { licenceId }));
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await code(call(`/v1/products/${productId}/query`, await buyer.token(), { licenceId }))).toEqual([403, 'licence_expired']);
  });

  it('keeps every party to its own products, licences and reviews', async () => {
    const { productId, licenceId } = await listed([{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '10' }]);
    const draft = await ok<{ id: string }>(
      call('/v1/products', await provider.token(), {
        title: { vi: 'Bản nháp', en: 'Draft' },
        description: { vi: 'Bản nháp.', en: 'A draft.' },
        kind: 'DATASET',
        outputSchema: { type: 'object' },
        terms: terms({ minCohortSize: undefined }),
        plans: [{ id: 'p', kind: 'PAY_PER_QUERY', priceDong: '1' }],
        dataset: { format: 'CSV', recordCount: 10 },
      }),
      201,
    );
    const citizen = (
      (await (
        await fetch(stack.url + '/dev/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'citizen', nationalId: '001099000001' }),
        })
      ).json()) as { access_token: string }
    ).access_token;
    const checks: [string, Response | Promise<Response>, number, string][] = [
      ['another provider submits the draft', call(`/v1/products/${draft.id}/submit`, await otherProvider.token(), {}), 404, 'not_found'],
      ['another provider sees the draft', call(`/v1/products/${draft.id}`, await otherProvider.token()), 404, 'not_found'],
      ['the public sees the draft', call(`/v1/products/${draft.id}`, undefined), 404, 'not_found'],
      ['a provider approves', call(`/v1/products/${draft.id}/approve`, await provider.token(), {}), 403, 'forbidden'],
      ['a citizen drafts a product', call('/v1/products', citizen, {}), 403, 'forbidden'],
      ["a stranger queries with the buyer's licence", call(`/v1/products/${productId}/query`, await stranger.token(), { licenceId }), 404, 'not_found'],
      ['a stranger reads the licence', call(`/v1/licences/${licenceId}`, await stranger.token()), 404, 'not_found'],
      ['another provider reads the usage', call(`/v1/licences/${licenceId}/usage`, await otherProvider.token()), 404, 'not_found'],
      ['anyone queries without a token', call(`/v1/products/${productId}/query`, undefined, { licenceId }), 401, 'unauthorized'],
      ['the public lists drafts', call('/v1/products?status=DRAFT', undefined), 403, 'forbidden'],
      ['the public reads invoices', call('/v1/invoices?period=2026-11', undefined), 401, 'unauthorized'],
      ['a citizen reads invoices', call('/v1/invoices?period=2026-11', citizen), 403, 'forbidden'],
    ];
    for (const [what, res, status, problem] of checks) expect([what, ...(await code(res))]).toEqual([what, status, problem]);
    const mine = await ok<{ items: { id: string }[] }>(call('/v1/products?mine=true', await provider.token()));
    expect(mine.items.map((p) => p.id)).toContain(draft.id);
    expect((await ok<{ items: { id: string }[] }>(call('/v1/products?mine=true', await otherProvider.token()))).items.map((p) => p.id)).not.toContain(draft.id);
  });
});
