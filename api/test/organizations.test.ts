import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { startStack, type TestStack } from './stack.js';

/** An organisation's key pairs as a start-up would make them: a P-256 signing key and an X25519 encryption key. */
async function orgKeys() {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(signing.publicKey)), kid: 'sig-1', use: 'sig', alg: 'ES256' },
      { ...(await exportJWK(encryption.publicKey)), kid: 'enc-1', use: 'enc', alg: 'ECDH-ES' },
    ],
  };
  return { signingKey: signing.privateKey, privateSigningJwk: await exportJWK(signing.privateKey), jwks };
}

describe('organisations and their client-credential tokens', () => {
  let stack: TestStack;
  let operatorToken: string;
  const call = (path: string, init: RequestInit = {}) => fetch(stack.url + path, init);
  const post = (path: string, body: unknown, token?: string) =>
    call(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const assertion = (orgId: string, key: CryptoKey, overrides: { jti?: string; aud?: string; exp?: number } = {}) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'sig-1' })
      .setIssuer(orgId)
      .setSubject(orgId)
      .setAudience(overrides.aud ?? `${stack.url}/oauth/token`)
      .setIssuedAt()
      .setExpirationTime(overrides.exp ?? Math.floor(Date.now() / 1000) + 60)
      .setJti(overrides.jti ?? crypto.randomUUID())
      .sign(key);
  const tokenRequest = (clientAssertion: string, grant = 'client_credentials') =>
    call('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: grant,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
      }),
    });

  beforeAll(async () => {
    stack = await startStack();
    operatorToken = ((await (await post('/dev/token', { role: 'operator' })).json()) as { access_token: string }).access_token;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('opened the exchange on first start: the operator organisation is on the ledger', async () => {
    const operators = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('organizations', 'ListOrganizationsByRole', 'operator', '10', '')).toString());
    expect(operators.items).toHaveLength(1);
    expect(operators.items[0]).toMatchObject({ mspId: 'VaultOperatorMSP', status: 'VERIFIED' });
  });

  it('lets the operator register an organisation, on the ledger and in the API, and nobody else', async () => {
    const { jwks } = await orgKeys();
    const body = { name: 'Công ty Tài chính An Phát', registrationNumber: '0101234567', roles: ['consumer'], jwks };
    const citizen = ((await (await post('/dev/token', { role: 'citizen', nationalId: '001099012345' })).json()) as { access_token: string }).access_token;
    expect((await post('/v1/organizations', body, citizen)).status).toBe(403);
    expect((await post('/v1/organizations', body)).status).toBe(401);
    const created = await post('/v1/organizations', body, operatorToken);
    expect(created.status).toBe(201);
    const org = (await created.json()) as { id: string; status: string; roles: string[] };
    expect(org).toMatchObject({ status: 'VERIFIED', roles: ['consumer'] });
    expect(created.headers.get('location')).toBe(`/v1/organizations/${org.id}`);
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('organizations', 'GetOrganization', org.id)).toString());
    expect(onLedger).toMatchObject({ id: org.id, mspId: 'VaultOperatorMSP', roles: ['consumer'], status: 'VERIFIED' });
    expect(JSON.stringify(onLedger)).not.toContain('An Phát'); // the name stays off the ledger
    const again = await post('/v1/organizations', body, operatorToken);
    expect(again.status).toBe(409);
  });

  it('refuses key sets that hold a private key or lack the signing or the encryption key', async () => {
    const { jwks, privateSigningJwk } = await orgKeys();
    const cases: [string, unknown][] = [
      ['a private key', { keys: [{ ...privateSigningJwk, kid: 'sig-1', use: 'sig' }, jwks.keys[1]] }],
      ['no encryption key', { keys: [jwks.keys[0], { ...jwks.keys[0], kid: 'sig-2' }] }],
      ['no signing key', { keys: [jwks.keys[1], { ...jwks.keys[1], kid: 'enc-2' }] }],
    ];
    for (const [what, bad] of cases) {
      const res = await post('/v1/organizations', { name: 'Bad keys', registrationNumber: '0109999999', roles: ['consumer'], jwks: bad }, operatorToken);
      expect(res.status, what).toBe(400);
      expect(res.headers.get('content-type'), what).toMatch(/problem\+json/);
    }
  });

  it('gives an organisation a token for a fresh private_key_jwt assertion, once per assertion', async () => {
    const { jwks, signingKey } = await orgKeys();
    const org = (await (
      await post('/v1/organizations', { name: 'Startup Sổ Sức Khỏe', registrationNumber: '0312345678', roles: ['consumer', 'provider'], jwks }, operatorToken)
    ).json()) as { id: string };
    const jti = crypto.randomUUID();
    const ok = await tokenRequest(await assertion(org.id, signingKey, { jti }));
    expect(ok.status).toBe(200);
    const { access_token } = (await ok.json()) as { access_token: string };
    const me = (await (await call('/v1/me', { headers: { authorization: `Bearer ${access_token}` } })).json()) as { role: string; organizationId: string };
    expect(me).toMatchObject({ role: 'organization', organizationId: org.id });
    expect((await call(`/v1/organizations/${org.id}`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(200);

    const replay = await tokenRequest(await assertion(org.id, signingKey, { jti }));
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');

    const { signingKey: otherKey } = await orgKeys();
    const forged = await tokenRequest(await assertion(org.id, otherKey));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toBe('invalid_client');
    expect((await tokenRequest(await assertion(org.id, signingKey, { aud: 'https://elsewhere.example/token' }))).status).toBe(401);
    expect((await tokenRequest(await assertion(org.id, signingKey), 'password')).status).toBe(400);
    const longLived = await tokenRequest(await assertion(org.id, signingKey, { exp: Math.floor(Date.now() / 1000) + 3600 }));
    expect(((await longLived.json()) as { error: string }).error).toBe('invalid_grant');

    // An organisation sees only itself.
    const operatorOrg = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('organizations', 'ListOrganizationsByRole', 'operator', '10', '')).toString())
      .items[0].id;
    expect((await call(`/v1/organizations/${operatorOrg}`, { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(404);

    // A malformed issuer is an unknown client, not a server error.
    const dashes = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('-'.repeat(36))
      .setSubject('x')
      .setAudience(`${stack.url}/oauth/token`)
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti('j')
      .sign(signingKey);
    expect((await tokenRequest(dashes)).status).toBe(401);

    // Suspension takes effect at once: the live token stops working, and no new one is issued.
    const suspended = await post(`/v1/organizations/${org.id}/suspend`, {}, operatorToken);
    expect(((await suspended.json()) as { status: string }).status).toBe('SUSPENDED');
    expect((await post(`/v1/organizations/${org.id}/suspend`, {}, operatorToken)).status).toBe(200); // a retry is harmless
    expect((await call('/v1/me', { headers: { authorization: `Bearer ${access_token}` } })).status).toBe(403);
    expect((await tokenRequest(await assertion(org.id, signingKey))).status).toBe(401);
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('organizations', 'GetOrganization', org.id)).toString());
    expect(onLedger.status).toBe('SUSPENDED');
  });
});
