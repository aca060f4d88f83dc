import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { ConfigError, loadConfig } from '@citizen-vault/api';
import { startStack, type TestStack } from './stack.js';

describe('API foundation on the real stack (embedded Postgres, devnet, API)', () => {
  let stack: TestStack;
  const call = (path: string, init?: RequestInit) => fetch(stack.url + path, init);
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const devToken = async (body: unknown): Promise<string> => ((await (await call('/dev/token', json(body))).json()) as { access_token: string }).access_token;
  const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    stack = await startStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('is alive, and ready once Postgres and the ledger answer', async () => {
    expect(await (await call('/health')).json()).toEqual({ status: 'ok' });
    const ready = await call('/ready');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ledgerHeight: number }).ledgerHeight).toBeGreaterThanOrEqual(1);
  });

  it('publishes its token keys and an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const doc = (await (await call('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/.well-known/jwks.json', '/dev/token', '/v1/me']));
    expect(doc.components.schemas).toHaveProperty('DevTokenRequest');
    expect(doc.components.schemas).toHaveProperty('Problem');
  });

  it("issues development tokens that the API accepts, without echoing a citizen's national id", async () => {
    const token = await devToken({ role: 'citizen', nationalId: '001099012345' });
    const me = await call('/v1/me', bearer(token));
    expect(me.status).toBe(200);
    const body = (await me.json()) as { role: string; subject: string };
    expect(body.role).toBe('citizen');
    expect(body.subject).toMatch(/^citizen:/);
    expect(JSON.stringify(body)).not.toContain('001099012345');
    const operator = (await (await call('/v1/me', bearer(await devToken({ role: 'operator' })))).json()) as { role: string };
    expect(operator.role).toBe('operator');
  });

  it('refuses missing, forged, expired, wrong-audience and unsigned tokens with 401 problem+json', async () => {
    const keyJwk = JSON.parse(await readFile(join(stack.dataDir, 'keys', 'api-signing-key.jwk'), 'utf8')) as JWK;
    const apiKey = await importJWK(keyJwk, 'ES256');
    const { privateKey: otherKey } = await generateKeyPair('ES256');
    const sign = (key: Parameters<SignJWT['sign']>[0], claims: { exp?: number; aud?: string }) =>
      new SignJWT({ role: 'operator' })
        .setProtectedHeader({ alg: 'ES256', kid: keyJwk.kid!, typ: 'at+jwt' })
        .setIssuer(stack.url)
        .setAudience(claims.aud ?? 'citizen-vault-api')
        .setSubject('x')
        .setIssuedAt()
        .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 60)
        .sign(key);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ role: 'operator' })).toString('base64url')}.`;
    const cases: [string, RequestInit, RegExp][] = [
      ['missing', {}, /bearer access token is required/],
      ['forged', bearer(await sign(otherKey, {})), /signature does not verify/],
      ['expired', bearer(await sign(apiKey, { exp: Math.floor(Date.now() / 1000) - 120 })), /expired/],
      ['wrong audience', bearer(await sign(apiKey, { aud: 'someone-else' })), /aud claim/],
      ['unsigned', { headers: { authorization: `Bearer ${unsigned}` } }, /bearer access token is required|not valid/],
    ];
    for (const [what, init, message] of cases) {
      const res = await call('/v1/me', init);
      expect(res.status, what).toBe(401);
      expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code, what).toBe('unauthorized');
      expect(problem.detail, what).toMatch(message);
    }
    // A well-signed token of the API itself passes, so the refusals above are about what was wrong.
    expect((await call('/v1/me', bearer(await sign(apiKey, {})))).status).toBe(200);
  });

  it('answers bad input with 400 problem+json and unknown routes with 404, never 500', async () => {
    const malformed = await call('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('invalid_json');
    const invalid = await call('/dev/token', json({ role: 'citizen', nationalId: 'Nguyễn Văn An' }));
    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('invalid_request');
    expect(problem.errors[0]?.path).toBe('/nationalId');
    const huge = await call('/dev/token', json({ role: 'operator', pad: 'x'.repeat(300_000) }));
    expect(huge.status).toBe(413);
    const missing = await call('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps its signing key and its migrations across a restart', async () => {
    const before = (await (await call('/.well-known/jwks.json')).json()) as { keys: JWK[] };
    const token = await devToken({ role: 'auditor' });
    await stack.restartApi();
    const after = (await (await call('/.well-known/jwks.json')).json()) as { keys: JWK[] };
    expect(after.keys[0]?.kid).toBe(before.keys[0]?.kid);
    const migrations = await stack.api.sql<{ name: string }[]>`select name from schema_migrations`;
    const files = (await readdir(join(import.meta.dirname, '../migrations'))).filter((f) => f.endsWith('.sql')).sort();
    expect(migrations.map((m) => m.name).sort()).toEqual(files); // each applied once, none again on restart
    expect((await fetch(stack.url + '/v1/me', bearer(token))).status).toBe(200); // same key, same issuer: tokens survive a restart
  });
});

describe('configuration', () => {
  it('describes the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      devMode: true,
      database: { kind: 'embedded' },
      fabric: { kind: 'embedded', port: 7051 },
      chaincode: 'citizen-vault',
    });
  });

  it('sizes the database pool as configured (20 unless set)', () => {
    expect(loadConfig({}).database.poolMax).toBe(20);
    expect(loadConfig({ CV_DATABASE_POOL_MAX: '12' }).database.poolMax).toBe(12);
    expect(() => loadConfig({ CV_DATABASE_POOL_MAX: '1' })).toThrow(/CV_DATABASE_POOL_MAX/);
  });

  it('fails fast and says what to set', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ VAULT_DATABASE_URL: 'mysql://x' })).toThrow(/VAULT_DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ FABRIC_ENDPOINT: 'peer:7051' })).toThrow(/needs all of FABRIC_ENDPOINT/);
    expect(() => loadConfig({ VAULT_DATABASE_URL: 'postgres://db/x', FABRIC_CONNECTION_FILE: 'c.json' })).toThrow(/OIDC_ISSUER/);
    expect(() => loadConfig({ CV_CALENDAR_DAYS_OFF: '2027-02-30' })).toThrow(/CV_CALENDAR_DAYS_OFF: dates as YYYY-MM-DD/);
  });

  it("reads the Government's declared calendar swaps for the deadlines of data-subject requests", () => {
    const config = loadConfig({ CV_CALENDAR_DAYS_OFF: '2027-04-30, 2027-05-03', CV_CALENDAR_WORKING_DAYS: '2027-05-08' });
    expect(config.calendar).toEqual({ daysOff: ['2027-04-30', '2027-05-03'], workingDays: ['2027-05-08'] });
    expect(loadConfig({}).calendar).toEqual({ daysOff: [], workingDays: [] });
  });
});
