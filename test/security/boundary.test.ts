import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, startStack, type TestOrganization, type TestStack } from '../../api/test/stack.js';
import { SSRF_URLS } from './ssrf-addresses.js';

/**
 * Bad input at the boundary (issue 14, items 2, 6, 8, 9, 10): each is a 400 problem+json — never a
 * 500, never a stack trace, and never after a ledger commit.
 */
const CITIZEN = '001099044001';
const b64url = (s: string) => Buffer.from(s).toString('base64url');

interface Problem {
  status: number;
  code: string;
  detail: string;
}

describe('the boundary refuses bad input with 400', () => {
  let stack: TestStack;
  let bank: TestOrganization;
  let provider: TestOrganization;
  let custodian: TestOrganization;
  let operator: string;
  let auditor: string;

  const send = (path: string, init: { token?: string; method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    fetch(stack.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
  /** A 400 problem+json with a stable code, and nothing of the internals. */
  const badRequest = async (res: Promise<Response>, what: string): Promise<Problem> => {
    const r = await res;
    const text = await r.text();
    expect(r.status, `${what}: ${text}`).toBe(400);
    expect(r.headers.get('content-type'), what).toMatch(/application\/problem\+json/);
    expect(text, what).not.toMatch(/URIError|RangeError|\n\s+at /);
    return JSON.parse(text) as Problem;
  };

  beforeAll(async () => {
    stack = await startStack();
    [bank, provider, custodian] = await Promise.all([
      registerOrganization(stack, ['consumer'], 'Ngân hàng Ranh giới'),
      registerOrganization(stack, ['provider'], 'Nhà cung cấp Ranh giới'),
      registerOrganization(stack, ['custodian'], 'Cơ quan Ranh giới'),
    ]);
    const dev = async (role: string) =>
      (
        (await (
          await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) })
        ).json()) as { access_token: string }
      ).access_token;
    operator = await dev('operator');
    auditor = await dev('auditor');
    const deposit = await send('/v1/records', {
      token: await custodian.token(),
      body: JSON.stringify({ subject: { nationalId: CITIZEN }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: '1 Phố Thử' } }),
    });
    expect(deposit.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('answers malformed percent-encoding in any path with 400, signed in or not', async () => {
    for (const path of [
      '/v1/organizations/%E0%A4%A/suspend',
      '/v1/consents/%E0%A4%A',
      '/v1/products/%ZZ',
      '/v1/licences/%/usage',
      '/v1/audit/ledger/blocks/%C0',
      '/%E0%A4%A',
      '/v1/products/%E0%A4%A/records/%E0%A4%A',
    ]) {
      await badRequest(send(path), `GET ${path}`);
      await badRequest(send(path, { method: 'POST', token: operator, body: '{}' }), `POST ${path}`);
    }
  });

  it('refuses NUL characters and lone surrogates in every kind of text input, before anything is written', async () => {
    const height = await stack.api.ledger.height();
    const consentsBefore = (await stack.api.sql<{ n: number }[]>`select count(*)::int as n from consents`)[0]!.n;
    const consent = (justification: string) =>
      JSON.stringify({
        subject: { nationalId: CITIZEN },
        purpose: 'credit_scoring',
        fields: ['residence.province'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000).toISOString(),
        retentionDays: 30,
        justification,
      });
    const org = (name: string, kid = 'sig-1') =>
      JSON.stringify({
        name,
        registrationNumber: String(Math.floor(1e9 + Math.random() * 9e9)),
        roles: ['consumer'],
        jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid, alg: 'EdDSA', use: 'sig' }] },
      });
    const product = (title: string) =>
      JSON.stringify({
        title: { vi: title, en: 'Residence' },
        description: { vi: 'Tỉnh cư trú của công dân.', en: 'Province.' },
        kind: 'CONSENTED',
        outputSchema: { type: 'object' },
        terms: { permittedPurposes: ['credit_scoring'], durationDays: 30, prohibitedActions: ['re_identification'], crossBorder: false, attribution: true },
        plans: [{ id: 'p', kind: 'PER_RECORD', priceDong: '1' }],
        consented: { purpose: 'credit_scoring', fields: ['residence.province'] },
      });
    const bad: [string, Promise<Response>][] = [];
    for (const [label, evil] of [
      ['NUL', 'a\\u0000b'],
      ['lone high surrogate', 'a\\ud800b'],
      ['lone low surrogate', '\\udc00b'],
    ] as const) {
      const text = JSON.parse(`"${evil}"`) as string;
      bad.push(
        [`${label} in a justification`, send('/v1/consents', { token: await bank.token(), body: consent(`Thẩm định ${text} hồ sơ vay`) })],
        [`${label} in an organisation name`, send('/v1/organizations', { token: operator, body: org(`Công ty ${text}`) })],
        [`${label} in a kid`, send('/v1/organizations', { token: operator, body: org('Công ty Khóa', `k${text}`) })],
        [
          `${label} in a record field`,
          send('/v1/records', {
            token: await custodian.token(),
            body: JSON.stringify({ subject: { nationalId: CITIZEN }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: `1 ${text}` } }),
          }),
        ],
        [`${label} in a product text`, send('/v1/products', { token: await provider.token(), body: product(`Nơi ${text}`) })],
        [`${label} in a JSON key`, send('/v1/consents', { token: await bank.token(), body: `{"${evil}":1}` })],
        [`${label} in a webhook url`, send('/v1/webhooks', { token: await bank.token(), body: JSON.stringify({ url: `https://example.com/${text}` }) })],
      );
    }
    bad.push(
      ['NUL in a query filter', send('/v1/audit/access-events?purpose=a%00b', { token: auditor })],
      ['NUL in ?q=', send('/v1/products?q=a%00b')],
      ['NUL in a path id', send('/v1/consents/%00', { token: await bank.token() })],
      [
        'NUL in a form field',
        fetch(stack.url + '/oauth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials%00&client_assertion_type=x&client_assertion=y',
        }),
      ],
    );
    for (const [what, res] of bad) await badRequest(res, what);
    // Lone surrogates in a query string decode to U+FFFD, which is text like any other: not a 5xx.
    expect((await send('/v1/products?q=%ED%A0%80')).status).toBeLessThan(500);
    expect(await stack.api.ledger.height()).toBe(height);
    const consentsAfter = (await stack.api.sql<{ n: number }[]>`select count(*)::int as n from consents`)[0]!.n;
    expect(consentsAfter).toBe(consentsBefore);
  });

  it('refuses JSON nested deeper than 64 levels, even 20,000 deep with an Idempotency-Key', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const n of [65, 1_000, 20_000]) {
      const problem = await badRequest(
        send('/v1/consents', { token: await bank.token(), body: `{"subject":${deep(n)}}`, headers: { 'idempotency-key': `deep-${n}` } }),
        `depth ${n}`,
      );
      expect(problem.detail).toMatch(/deeper than 64/);
    }
    // 64 levels are parsed (and then refused by the schema, for what they say).
    const ok = await badRequest(send('/v1/consents', { token: await bank.token(), body: `{"subject":${deep(62)}}` }), 'depth 63');
    expect(ok.detail).not.toMatch(/deeper/);
  });

  it('answers forged cursors in the audit and consent lists with 400', async () => {
    const cases: [string, string][] = [
      ['/v1/audit/access-events', b64url('["not-a-date","019361a8-0000-7000-8000-000000000000"]')],
      ['/v1/audit/access-events', b64url('["2026-01-01T00:00:00.000Z","-----"]')],
      ['/v1/audit/access-events', b64url('["+275760-09-13T00:00:00.000Z","019361a8-0000-7000-8000-000000000000"]')],
      ['/v1/audit/consent-events', b64url('[1e308,0]')],
      ['/v1/audit/consent-events', b64url('[-1,1.5]')],
      ['/v1/audit/ledger/blocks', b64url('[1e308]')],
      ['/v1/audit/ledger/blocks', b64url('[{"a":1}]')],
      ['/v1/audit/access-events', 'not base64 at all!'],
    ];
    for (const [path, cursor] of cases) await badRequest(send(`${path}?cursor=${encodeURIComponent(cursor)}`, { token: auditor }), `${path} ${cursor}`);
    for (const cursor of [
      b64url(`2026-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
      b64url('2026-01-01T00:00:00.000Z|-----'),
      b64url('not-a-date|019361a8-0000-7000-8000-000000000000'),
      b64url('99999-01-01T00:00:00.000Z|019361a8-0000-7000-8000-000000000000'),
    ]) {
      await badRequest(send(`/v1/consents?cursor=${cursor}`, { token: await bank.token() }), `consents ${cursor}`);
    }
  });

  it('refuses dates Postgres cannot hold (year 0000, found by schemathesis) with 400', async () => {
    await badRequest(send('/v1/exchange/stats?to=0000-01'), 'stats to=0000-01');
    await badRequest(send('/v1/audit/access-events?from=0000-01-01T00:00:00Z', { token: auditor }), 'access events from year 0');
    await badRequest(send('/v1/audit/reports/consent-stats?to=0000-12-31T23:59:59Z', { token: auditor }), 'report to year 0');
  });

  it('refuses webhook urls that reach inside the network in any address form', async () => {
    const token = await bank.token();
    const accepted: string[] = [];
    // Development mode (this stack) lets webhooks reach this machine's own loopback, plainly spelt;
    // ssrf-addresses.test.ts checks those are refused in production.
    const urls = SSRF_URLS.filter((u) => !/^(127\.|\[::1\]$)/.test(new URL(u).hostname));
    for (const url of urls) {
      const res = await send('/v1/webhooks', { token, body: JSON.stringify({ url }) });
      if (res.status !== 400) accepted.push(`${url}: ${res.status}`);
      await res.arrayBuffer();
    }
    console.info(`webhook SSRF: ${urls.length} urls, ${urls.length - accepted.length} refused`);
    expect(accepted).toEqual([]);
  });

  it('records "delivery failed" when a delivery fails, never what the network said', async () => {
    const citizen = await citizenToken(stack, CITIZEN);
    // Development mode lets http reach this machine's loopback; nothing listens on port 9.
    const endpoint = await send('/v1/webhooks', { token: await bank.token(), body: JSON.stringify({ url: 'http://127.0.0.1:9/hooks' }) });
    expect(endpoint.status).toBe(201);
    const res = await send('/v1/consents', {
      token: await bank.token(),
      body: JSON.stringify({
        subject: { nationalId: CITIZEN },
        purpose: 'credit_scoring',
        fields: ['residence.province'],
        mode: 'ONCE',
        validUntil: new Date(Date.now() + 86400_000).toISOString(),
        retentionDays: 30,
        justification: 'Thẩm định hồ sơ vay',
      }),
    });
    const { id } = (await res.json()) as { id: string };
    await send(`/v1/consents/${id}/reject`, { token: citizen, body: '{}' });
    let errors: (string | null)[] = [];
    for (let i = 0; i < 100 && errors.every((e) => e === null); i++) {
      await new Promise((r) => setTimeout(r, 100));
      errors = ((await (await send('/v1/webhooks/deliveries', { token: await bank.token() })).json()) as { items: { lastError: string | null }[] }).items.map(
        (d) => d.lastError,
      );
    }
    expect(errors.filter((e) => e !== null).length).toBeGreaterThan(0);
    expect(new Set(errors.filter((e) => e !== null))).toEqual(new Set(['delivery failed']));
  });
});
