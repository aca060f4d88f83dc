import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOrganization, startStack, type TestOrganization, type TestStack } from '../stack.js';
import { Browser } from '../support/browser.js';
import { startOrganizationIdp, type OrganizationIdp, type OrganizationStaff } from '../support/organization-idp.js';

describe("organisations' own identity providers: staff sign in through them, roles mapped from a claim", () => {
  let stack: TestStack;
  let idp: OrganizationIdp;
  let bank: TestOrganization;
  let audit: TestOrganization;
  let operator: string;

  const call = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(stack.url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const provider = (mapping: { value: string; role: string }[], extra: Record<string, unknown> = {}) => ({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scopes: 'openid groups',
    roleMapping: mapping,
    ...extra,
  });
  /** Signs in at the organisation's provider as `person`, returning the API's answer to the callback. */
  const signInThrough = async (organizationId: string, person: OrganizationStaff): Promise<{ browser: Browser; callback: Response }> => {
    idp.signInAs(person);
    const browser = new Browser(stack.url);
    let at = `${stack.url}/auth/login?organization=${organizationId}&returnTo=/auth/session`;
    for (let hops = 0; hops < 10; hops++) {
      const res = await browser.fetch(at);
      if (new URL(at).pathname === '/auth/callback') return { browser, callback: res };
      expect([302, 303]).toContain(res.status);
      at = new URL(res.headers.get('location')!, at).href;
    }
    throw new Error('the sign-in never came back to /auth/callback');
  };

  beforeAll(async () => {
    stack = await startStack();
    idp = await startOrganizationIdp(`${stack.url}/auth/callback`);
    bank = await registerOrganization(stack, ['consumer'], 'Bank with its own directory');
    audit = await registerOrganization(stack, ['auditor'], 'Audit office');
    const dev = await call('/dev/token', { body: { role: 'operator' } });
    operator = ((await dev.json()) as { access_token: string }).access_token;
  }, 120_000);
  afterAll(async () => {
    await idp?.close();
    await stack?.close();
  });

  it('lets the operator set a provider, never returning its secret, and refuses roles the organisation cannot give', async () => {
    const put = await call(`/v1/organizations/${bank.id}/sign-in-provider`, {
      method: 'PUT',
      token: operator,
      body: provider([{ value: 'vault-staff', role: 'organization' }]),
    });
    expect(put.status).toBe(200);
    const saved = (await put.json()) as Record<string, unknown>;
    expect(saved).toMatchObject({
      organizationId: bank.id,
      issuer: idp.issuer,
      roleClaim: 'groups',
      roleMapping: [{ value: 'vault-staff', role: 'organization' }],
    });
    expect(JSON.stringify(saved)).not.toContain(idp.clientSecret);

    const operatorRole = await call(`/v1/organizations/${bank.id}/sign-in-provider`, {
      method: 'PUT',
      token: operator,
      body: provider([{ value: 'it', role: 'operator' }]),
    });
    expect(operatorRole.status).toBe(400);
    expect(((await operatorRole.json()) as { detail: string }).detail).toMatch(/cannot give its staff the operator role/);

    const remote = await call(`/v1/organizations/${bank.id}/sign-in-provider`, {
      method: 'PUT',
      token: operator,
      body: provider([{ value: 'x', role: 'organization' }], { issuer: 'http://idp.example.com' }),
    });
    expect(remote.status).toBe(400);
    const bad = await call(`/v1/organizations/${bank.id}/sign-in-provider`, { method: 'PUT', token: operator, body: { issuer: 'not a url', roleMapping: [] } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);

    expect((await call(`/v1/organizations/${bank.id}/sign-in-provider`, { method: 'PUT', token: await bank.token(), body: provider([]) })).status).toBe(403);
    expect((await call(`/v1/organizations/${bank.id}/sign-in-provider`, { token: await bank.token() })).status).toBe(200);
    expect((await call(`/v1/organizations/${bank.id}/sign-in-provider`, { token: await audit.token() })).status).toBe(404); // another organisation's

    const choices = (await (await call('/auth/providers')).json()) as { items: { organizationId: string; name: string; signInUrl: string }[] };
    expect(choices.items).toContainEqual({
      organizationId: bank.id,
      name: 'Bank with its own directory',
      signInUrl: `${stack.url}/auth/login?organization=${bank.id}`,
    });
  });

  it('signs staff in through their organisation: the organisation is the one the sign-in began for, the role the mapping gives', async () => {
    const { browser, callback } = await signInThrough(bank.id, { sub: 'alice', groups: ['everyone', 'vault-staff'] });
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/auth/session');
    const session = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as Record<string, string>;
    expect(session).toMatchObject({ role: 'organization', organizationId: bank.id, subject: `staff:${bank.id}:alice`, name: 'Bank with its own directory' });
    // The session is the organisation's: its own resources answer, an operator's do not.
    expect((await browser.fetch(`${stack.url}/v1/organizations/${bank.id}`)).status).toBe(200);
    expect((await browser.fetch(`${stack.url}/v1/organizations`)).status).toBe(403);
  });

  it('refuses, and keeps for auditors, a person the mapping gives no role', async () => {
    const { callback } = await signInThrough(bank.id, { sub: 'mallory', groups: ['everyone'] });
    expect(callback.status).toBe(403);
    expect(((await callback.json()) as { detail: string }).detail).toMatch(/gives you no role in this portal/);

    await call(`/v1/organizations/${audit.id}/sign-in-provider`, { method: 'PUT', token: operator, body: provider([{ value: 'auditors', role: 'auditor' }]) });
    const { browser } = await signInThrough(audit.id, { sub: 'carol', groups: ['auditors'] });
    const session = (await (await browser.fetch(`${stack.url}/auth/session`)).json()) as Record<string, string>;
    expect(session).toMatchObject({ role: 'auditor', subject: `staff:${audit.id}:carol` });
    const events = (await (await browser.fetch(`${stack.url}/v1/audit/sign-ins`)).json()) as {
      items: { event: string; subject: string | null; reason: string | null }[];
    };
    expect(events.items).toContainEqual(expect.objectContaining({ event: 'sign-in-refused', reason: expect.stringMatching(/no role in this portal/) }));
    expect(events.items).toContainEqual(expect.objectContaining({ event: 'sign-in', subject: `staff:${bank.id}:alice` }));
  });

  it('refuses an organisation without a provider, and a suspended one', async () => {
    const unknown = await new Browser(stack.url).fetch(`${stack.url}/auth/login?organization=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(404);
    expect((await new Browser(stack.url).fetch(`${stack.url}/auth/login?organization=not-an-id`)).status).toBe(400);

    expect((await call(`/v1/organizations/${bank.id}/suspend`, { token: operator, body: {} })).status).toBe(200);
    const { callback } = await signInThrough(bank.id, { sub: 'alice', groups: ['vault-staff'] });
    expect(callback.status).toBe(403);
    expect(((await call('/auth/providers').then((r) => r.json())) as { items: { organizationId: string }[] }).items.map((i) => i.organizationId)).not.toContain(
      bank.id,
    );

    expect((await call(`/v1/organizations/${audit.id}/sign-in-provider`, { method: 'DELETE', token: operator })).status).toBe(204);
    expect((await call(`/v1/organizations/${audit.id}/sign-in-provider`, { method: 'DELETE', token: operator })).status).toBe(404);
  });
});
