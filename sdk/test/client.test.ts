import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CitizenVault,
  ConnectionError,
  ConsentNotActiveError,
  InvalidRequestError,
  RateLimitError,
  generateOrganizationKeys,
  generateTestWebhookHeaders,
  verifyWebhookSignature,
} from '../src/index.js';

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

/** A local HTTP server standing in for the API, with a working /oauth/token. */
async function fakeApi(handler: Handler): Promise<{ url: string; seen: (IncomingMessage & { body: string })[]; tokens: number; close(): Promise<void> }> {
  const seen: (IncomingMessage & { body: string })[] = [];
  const state = { tokens: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = Object.assign(req, { body });
      if (req.url === '/oauth/token') {
        state.tokens++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `t${state.tokens}`, token_type: 'Bearer', expires_in: 900 }));
        return;
      }
      seen.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    get tokens() {
      return state.tokens;
    },
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers }).end(JSON.stringify(body));

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function clientFor(url: string, maxRetries = 2) {
  const keys = await generateOrganizationKeys();
  return CitizenVault.create({
    baseUrl: url,
    organizationId: '0193a0c0-0000-7000-8000-000000000001',
    signingKey: keys.signingKey,
    encryptionKey: keys.encryptionKey,
    maxRetries,
    timeoutMs: 500,
  });
}

describe('the SDK client', () => {
  it('retries 5xx and 429 with the same Idempotency-Key, then succeeds', async () => {
    let calls = 0;
    const api = await fakeApi((_req, res) => {
      calls++;
      if (calls === 1) return json(res, 503, { code: 'ledger_unavailable', detail: 'down' });
      if (calls === 2) return json(res, 429, { code: 'frequency_exceeded', detail: 'slow down' }, { 'retry-after': '0' });
      json(res, 201, { id: 'c1', status: 'REQUESTED' });
    });
    servers.push(api);
    const vault = await clientFor(api.url);
    const consent = await vault.consents.request({
      nationalId: '000000000101',
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date('2030-01-01'),
      retentionDays: 1,
      justification: 'Loan 42, please',
    });
    expect(consent.id).toBe('c1');
    const keys = api.seen.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(api.seen[0]!.body)).toMatchObject({ subject: { nationalId: '000000000101' }, validUntil: '2030-01-01T00:00:00.000Z' });
    expect(api.seen.every((r) => r.headers.authorization === 'Bearer t1')).toBe(true);
  });

  it('never turns a success into a failure: an attempt that timed out is still running, so a 409 key-in-use is waited out', async () => {
    let calls = 0;
    const api = await fakeApi((_req, res) => {
      calls++;
      if (calls === 1) return void setTimeout(() => json(res, 200, { id: 'c1', status: 'REVOKED' }), 800); // answered after the client's 500 ms timeout
      if (calls === 2) return json(res, 409, { code: 'idempotency_key_in_use', detail: 'still being processed' }, { 'retry-after': '0' });
      json(res, 200, { id: 'c1', status: 'REVOKED' }, { 'idempotent-replayed': 'true' });
    });
    servers.push(api);
    const vault = await clientFor(api.url, 3);
    const consent = await vault.consents.request({
      nationalId: '000000000101',
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date('2030-01-01'),
      retentionDays: 1,
      justification: 'Loan 42, please',
    });
    expect(consent.id).toBe('c1');
    expect(new Set(api.seen.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('does not retry a client error, and throws the typed error for its code', async () => {
    const api = await fakeApi((req, res) =>
      req.url!.includes('/data')
        ? json(res, 403, { code: 'consent_not_active', detail: 'revoked' })
        : json(res, 400, { code: 'invalid_request', detail: 'bad', errors: [{ path: '/fields', message: 'x' }] }),
    );
    servers.push(api);
    const vault = await clientFor(api.url);
    const err = await vault.consents.get('c1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ code: 'invalid_request', status: 400, details: { errors: [{ path: '/fields', message: 'x' }] } });
    await expect(vault.consents.readData('c1')).rejects.toBeInstanceOf(ConsentNotActiveError);
    expect(api.seen).toHaveLength(2);
  });

  it('gives up after the retries with a RateLimitError, and reports network failures as ConnectionError', async () => {
    const api = await fakeApi((_req, res) => json(res, 429, { code: 'frequency_exceeded', detail: 'spent' }, { 'retry-after': '0' }));
    servers.push(api);
    await expect((await clientFor(api.url, 1)).consents.get('c1')).rejects.toBeInstanceOf(RateLimitError);
    expect(api.seen).toHaveLength(2);
    await expect((await clientFor('http://127.0.0.1:1', 1)).consents.get('c1')).rejects.toBeInstanceOf(ConnectionError);
  });

  it('renews its token once when the API answers 401', async () => {
    let calls = 0;
    const api = await fakeApi((_req, res) => (++calls === 1 ? json(res, 401, { code: 'unauthorized', detail: 'expired' }) : json(res, 200, { id: 'c1' })));
    servers.push(api);
    const vault = await clientFor(api.url, 0);
    expect((await vault.consents.get('c1')).id).toBe('c1');
    expect(api.tokens).toBe(2);
  });

  it('lists every consent across pages when iterated, and the first page when awaited', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}` }));
    const api = await fakeApi((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const items = all.slice(start, start + 2);
      json(res, 200, { items, nextCursor: start + 2 < all.length ? String(start + 2) : '' });
    });
    servers.push(api);
    const vault = await clientFor(api.url);
    const first = await vault.consents.list();
    expect(first.items.map((c) => c.id)).toEqual(['c0', 'c1']);
    const ids: string[] = [];
    for await (const c of vault.consents.list({ status: 'ACTIVE' })) ids.push(c.id);
    expect(ids).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(api.seen.filter((r) => r.url!.includes('status=ACTIVE'))).toHaveLength(3);
  });

  it('verifies webhook signatures and makes test headers that verify', () => {
    const body = JSON.stringify({ type: 'consent.active', data: { consentId: 'c1' } });
    const headers = generateTestWebhookHeaders('whsec_abc', body);
    expect(verifyWebhookSignature('whsec_abc', body, headers['cv-signature'])).toBe(true);
    expect(verifyWebhookSignature('whsec_other', body, headers['cv-signature'])).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', body + ' ', headers['cv-signature'])).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', body, headers['cv-signature'], { now: new Date(Date.now() + 3_600_000) })).toBe(false);
    expect(verifyWebhookSignature('whsec_abc', body, undefined)).toBe(false);
  });
});
