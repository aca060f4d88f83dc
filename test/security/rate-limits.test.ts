import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrganization, startStack, type TestOrganization, type TestStack } from '../../api/test/stack.js';

/**
 * Rate limits (issue 14, item 5), configured low through the environment: token requests per
 * client and per address, sign-ins per address, failed authentications per address, passkey
 * challenges per citizen and per address — each
 * answered 429 problem+json `rate_limited` with `Retry-After`.
 */
const LIMIT = 5;

describe('rate limits', () => {
  let stack: TestStack;
  let org: TestOrganization;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        CV_RATE_LIMIT_TOKEN_PER_CLIENT: String(LIMIT),
        CV_RATE_LIMIT_TOKEN_PER_IP: String(LIMIT * 3),
        CV_RATE_LIMIT_SIGN_IN_PER_IP: String(LIMIT * 4),
        CV_RATE_LIMIT_AUTH_FAILURES_PER_IP: String(LIMIT),
        CV_RATE_LIMIT_PASSKEY_PER_CITIZEN: String(LIMIT),
        CV_RATE_LIMIT_PASSKEY_PER_IP: String(LIMIT * 2),
      },
    });
    org = await registerOrganization(stack, ['consumer']); // 1 sign-in (the operator's dev token)
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }
  /** A request from a chosen loopback address (127.0.0.0/8 all reaches the API), so each test is its own "client address". */
  const from = (address: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(stack.url + path, { method: init.method ?? 'GET', headers: init.headers ?? {}, localAddress: address }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(init.body);
    });
  const throttled = (res: Answer) => {
    expect(res.status, res.body).toBe(429);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((JSON.parse(res.body) as { code: string }).code).toBe('rate_limited');
  };
  const badAssertion = (address: string, clientId: string) =>
    from(address, '/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'eyJhbGciOiJFUzI1NiJ9.e30.sig',
        client_id: clientId,
      }).toString(),
    });

  it('limits token requests per client, then per address', async () => {
    // Per client: from several addresses, the sixth attempt for the same client is refused.
    for (let i = 0; i < LIMIT; i++) expect((await badAssertion(`127.0.1.${i + 1}`, org.id)).status).toBe(401);
    throttled(await badAssertion('127.0.1.9', org.id));
    // The client's genuine assertion is held back too until the window passes: guessing costs the same as asking.
    await expect(org.token()).resolves.toBeUndefined();
    // Per address: many clients from one address (with requests answered 400, which the failed-authentication limit does not count).
    const wrongGrant = (clientId: string) =>
      from('127.0.2.1', '/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=password&client_assertion_type=x&client_assertion=y&client_id=${clientId}`,
      });
    for (let i = 0; i < LIMIT * 3; i++) expect((await wrongGrant(`other-client-${i}`)).status).toBe(400);
    throttled(await wrongGrant('yet-another-client'));
  });

  it('limits sign-ins per address', async () => {
    const signIn = () => from('127.0.3.1', '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' });
    for (let i = 0; i < LIMIT * 4; i++) expect((await signIn()).status).toBe(200);
    throttled(await signIn());
    // Another address still signs in.
    expect(
      (await from('127.0.3.2', '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' })).status,
    ).toBe(200);
  });

  it('limits failed authentications per address, with honest calls not counted', async () => {
    const auditor = (
      JSON.parse(
        (await from('127.0.4.9', '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' })).body,
      ) as { access_token: string }
    ).access_token;
    const bearer = (token: string) => from('127.0.4.1', '/v1/me', { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < LIMIT * 2; i++) expect((await bearer(auditor)).status).toBe(200); // successes are not counted
    for (let i = 0; i < LIMIT; i++) expect((await bearer('not.a.token')).status).toBe(401);
    throttled(await bearer('not.a.token'));
    throttled(await bearer(auditor)); // the address is held back for the window, whatever it sends
    expect((await from('127.0.4.2', '/v1/me', { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(200);
  });

  it('limits passkey registrations and decision challenges per citizen, then per address; listing passkeys is not limited', async () => {
    const citizen = async (nationalId: string) =>
      (
        JSON.parse(
          (
            await from('127.0.5.9', '/dev/token', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ role: 'citizen', nationalId }),
            })
          ).body,
        ) as { access_token: string }
      ).access_token;
    const post = (address: string, token: string, path: string, body: unknown = {}) =>
      from(address, path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const a = await citizen('000000000501');
    // Per citizen: registration options, a registration and decision challenges all count, whatever they answer.
    expect((await post('127.0.5.1', a, '/v1/me/passkeys/registration-options')).status).toBe(200);
    expect((await post('127.0.5.1', a, '/v1/me/passkeys/registration-options')).status).toBe(200);
    expect((await post('127.0.5.1', a, '/v1/me/passkeys', { id: 'x' })).status).toBe(400);
    expect((await post('127.0.5.1', a, '/v1/consents/01935c7e-0000-7000-8000-000000000000/decision-challenge', { action: 'approve' })).status).toBe(404);
    expect((await post('127.0.5.1', a, '/v1/me/passkeys/registration-options')).status).toBe(200);
    throttled(await post('127.0.5.1', a, '/v1/me/passkeys/registration-options'));
    throttled(await post('127.0.5.2', a, '/v1/consents/01935c7e-0000-7000-8000-000000000000/decision-challenge', { action: 'approve' })); // another address: still this citizen
    expect((await from('127.0.5.1', '/v1/me/passkeys', { headers: { authorization: `Bearer ${a}` } })).status).toBe(200);
    expect((await post('127.0.5.1', await citizen('000000000502'), '/v1/me/passkeys/registration-options')).status).toBe(200); // another citizen, same address

    // Per address: many citizens from one address.
    for (let i = 0; i < LIMIT * 2; i++)
      expect((await post('127.0.6.1', await citizen(`0000000006${String(i).padStart(2, '0')}`), '/v1/me/passkeys/registration-options')).status).toBe(200);
    throttled(await post('127.0.6.1', await citizen('000000000699'), '/v1/me/passkeys/registration-options'));
  });
});
