import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from './stack.js';
import { Browser } from './support/browser.js';

/** Signs in at the development provider with its form's fields, from the portal's /auth/login. */
async function signIn(browser: Browser, base: string, field: Record<string, string>, returnTo = '/'): Promise<Response> {
  const { res: page, url } = await browser.navigate(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(page.status).toBe(200);
  expect(url).toMatch(/\/dev\/idp\/interaction\//);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const posted = await browser.fetch(new URL(action, base).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(field).toString(),
  });
  expect([302, 303]).toContain(posted.status);
  const { res } = await browser.navigate(new URL(posted.headers.get('location')!, base).href);
  return res;
}

describe('portal sign-in: OpenID Connect with PKCE through the development provider, cookie sessions (backend-for-frontend)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(() => stack?.close());

  it('publishes a real provider: discovery with PKCE S256 and a JWKS', async () => {
    const discovery = (await (await fetch(`${stack.url}/dev/idp/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(`${stack.url}/dev/idp`);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(discovery.jwks_uri as string)).json()) as { keys: { kty: string; d?: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('signs a citizen in: redirect, pick, callback, then an HttpOnly session cookie and no token for JavaScript', async () => {
    const browser = new Browser(stack.url);
    const login = await browser.fetch(`${stack.url}/auth/login?returnTo=/consents`);
    expect(login.status).toBe(303);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.pathname).toBe('/dev/idp/auth');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(login.headers.getSetCookie().join()).toMatch(/cv_sign_in=.*HttpOnly/i);

    const landed = await signIn(browser, stack.url, { nationalId: '000000000101' }, '/consents');
    expect(landed.status).toBe(200); // the portal's page at /consents
    expect(browser.cookies.has('cv_session')).toBe(true);
    expect(browser.cookies.has('cv_sign_in')).toBe(false);

    const session = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as Record<string, string>;
    expect(session).toMatchObject({ role: 'citizen', nationalId: '000000000101' });
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(session)).not.toMatch(/eyJ/); // no JWT reaches the page

    const consents = await browser.fetch(`${stack.url}/v1/me/consents`);
    expect(consents.status).toBe(200);
  });

  it('refuses a state-changing request made with the cookie but without the CSRF token', async () => {
    const browser = new Browser(stack.url);
    await signIn(browser, stack.url, { nationalId: '000000000102' });
    const { csrfToken } = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as { csrfToken: string };
    const forged = await browser.fetch(`${stack.url}/v1/consents/00000000-0000-4000-8000-000000000000/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('csrf_token_invalid');
    const wrong = await browser.fetch(`${stack.url}/v1/consents/00000000-0000-4000-8000-000000000000/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken.replace(/.$/, csrfToken.endsWith('A') ? 'B' : 'A') },
      body: '{}',
    });
    expect(wrong.status).toBe(403);
    const proper = await browser.fetch(`${stack.url}/v1/consents/00000000-0000-4000-8000-000000000000/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: '{}',
    });
    expect(proper.status).toBe(404); // past authentication and CSRF: the consent does not exist
  });

  it('honours Idempotency-Key for a portal session, only on requests that carry the CSRF token', async () => {
    const browser = new Browser(stack.url);
    await signIn(browser, stack.url, { nationalId: '000000000101' });
    const { csrfToken } = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as { csrfToken: string };
    const url = `${stack.url}/v1/consents/00000000-0000-4000-8000-00000000000a/reject`;
    const post = (headers: Record<string, string>) =>
      browser.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'portal-key-1', ...headers }, body: '{}' });
    const forged = await post({});
    expect(forged.status).toBe(403); // no CSRF token: refused, and nothing kept under the key
    const first = await post({ 'x-csrf-token': csrfToken });
    expect(first.status).toBe(404);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post({ 'x-csrf-token': csrfToken });
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('signs staff and organisations in with roles mapped from their claims', async () => {
    const auditor = new Browser(stack.url);
    await signIn(auditor, stack.url, { role: 'auditor' });
    expect(((await (await auditor.fetch(`${stack.url}/auth/session`)).json()) as { role: string }).role).toBe('auditor');
    expect((await auditor.fetch(`${stack.url}/v1/me/consents`)).status).toBe(403); // an auditor is not a citizen
    const operator = new Browser(stack.url);
    await signIn(operator, stack.url, { role: 'operator' });
    const organizations = (await (await operator.fetch(`${stack.url}/v1/organizations`)).json()) as { items: { id: string; name: string; roles: string[] }[] };
    const bank = organizations.items.find((o) => !o.roles.includes('operator'));
    if (bank) {
      const staff = new Browser(stack.url);
      await signIn(staff, stack.url, { role: 'organization', organizationId: bank.id });
      expect(await (await staff.fetch(`${stack.url}/auth/session`)).json()).toMatchObject({ role: 'organization', organizationId: bank.id, name: bank.name });
    }
    const nobody = new Browser(stack.url);
    const refused = await signIn(nobody, stack.url, { nationalId: '12345' }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error); // the provider's form refuses a malformed number; no session
    expect(nobody.cookies.has('cv_session')).toBe(false);
  });

  it('signs out: the session ends on the server, and the cookie opens nothing afterwards', async () => {
    const browser = new Browser(stack.url);
    await signIn(browser, stack.url, { nationalId: '000000000103' });
    const cookie = browser.cookies.get('cv_session')!;
    const { csrfToken } = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as { csrfToken: string };
    expect((await browser.fetch(`${stack.url}/auth/logout`, { method: 'POST' })).status).toBe(403); // no CSRF token: not signed out
    expect((await browser.fetch(`${stack.url}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } })).status).toBe(204);
    expect(browser.cookies.has('cv_session')).toBe(false);
    const replayed = await fetch(`${stack.url}/v1/me/consents`, { headers: { cookie: `cv_session=${cookie}` } });
    expect(replayed.status).toBe(401);
  });

  it('keeps sign-ins, refusals and sign-outs for auditors, with pseudonymous subjects and no national id', async () => {
    const browser = new Browser(stack.url);
    await signIn(browser, stack.url, { nationalId: '000000000102' });
    const { csrfToken, subject } = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as { csrfToken: string; subject: string };
    await browser.fetch(`${stack.url}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
    const auditor = (await (
      await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"auditor"}' })
    ).json()) as { access_token: string };
    const res = await fetch(`${stack.url}/v1/audit/sign-ins?limit=50`, { headers: { authorization: `Bearer ${auditor.access_token}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('000000000102');
    const { items } = JSON.parse(text) as { items: { event: string; subject: string | null; acr: string | null }[] };
    const mine = items.filter((e) => e.subject === subject).map((e) => e.event);
    expect(mine.slice(0, 2)).toEqual(['sign-out', 'sign-in']); // newest first
    expect(items.find((e) => e.subject === subject && e.event === 'sign-in')?.acr).toMatch(/loa-high/);
    const citizen = (await (
      await fetch(`${stack.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"role":"citizen","nationalId":"000000000102"}',
      })
    ).json()) as { access_token: string };
    expect((await fetch(`${stack.url}/v1/audit/sign-ins`, { headers: { authorization: `Bearer ${citizen.access_token}` } })).status).toBe(403);
    expect((await fetch(`${stack.url}/v1/audit/sign-ins?cursor=forged`, { headers: { authorization: `Bearer ${auditor.access_token}` } })).status).toBe(400);
  });

  it('refuses a callback whose sign-in state was not started in this browser, or was tampered with', async () => {
    const stranger = new Browser(stack.url);
    const res = await stranger.fetch(`${stack.url}/auth/callback?code=abc&state=xyz`);
    expect(res.status).toBe(400);
    const tampered = await fetch(`${stack.url}/auth/callback?code=abc&state=xyz`, { headers: { cookie: 'cv_sign_in=AAAA' } });
    expect(tampered.status).toBe(400);
  });

  it('answers a sign-in page opened without its interaction cookie with a 400 page, not a 500', async () => {
    const { res } = await new Browser(stack.url).navigate(`${stack.url}/auth/login`);
    const page = await fetch(res.url || `${stack.url}/dev/idp/interaction/unknown`);
    expect(page.status).toBe(400);
    const stranger = await fetch(`${stack.url}/dev/idp/interaction/unknown`);
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toMatch(/Không đăng nhập được/);
  });

  it('does not let /auth/login redirect anywhere but this site', async () => {
    const browser = new Browser(stack.url);
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      await browser.fetch(`${stack.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
      const landed = await signIn(browser, stack.url, { nationalId: '000000000101' }, returnTo);
      expect(landed.status).toBe(200);
    }
  });
});

describe('a sign-in below the required assurance level', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_REQUIRED_ACR: 'urn:example:loa-substantial-plus' } });
  }, 120_000);
  afterAll(() => stack?.close());

  it('is refused, with no session, whatever the provider vouched for', async () => {
    const browser = new Browser(stack.url);
    const { res: page } = await browser.navigate(`${stack.url}/auth/login`);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const posted = await browser.fetch(new URL(action, stack.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ nationalId: '000000000101' }).toString(),
    });
    const { res } = await browser.navigate(new URL(posted.headers.get('location')!, stack.url).href);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/assurance level/);
    expect(browser.cookies.has('cv_session')).toBe(false);
  });
});
