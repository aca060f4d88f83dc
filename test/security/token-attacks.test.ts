import { createHmac, createPrivateKey, sign as rawSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompactSign, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenSubject } from '../../api/src/auth/tokens.js';
import { citizenToken, registerOrganization, startStack, type TestStack } from '../../api/test/stack.js';

/**
 * Forged and malformed bearer tokens (issue 14, item 7). Many are signed with the API's own key —
 * as if it had leaked, or as if another document it signs were replayed as a token — so what is
 * tested is the claim and header checks, not only the signature. Every one must be answered 401.
 */
const NATIONAL_ID = '001099055001';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('token attack set', () => {
  let stack: TestStack;
  let apiKey: CryptoKey;
  let apiKeyObject: KeyObject;
  let kid: string;
  let genuine: string;
  let artefact: string;

  beforeAll(async () => {
    stack = await startStack();
    const jwk = JSON.parse(await readFile(join(stack.dataDir, 'keys', 'api-signing-key.jwk'), 'utf8')) as JWK;
    kid = jwk.kid!;
    apiKey = (await importJWK(jwk, 'ES256')) as CryptoKey;
    apiKeyObject = createPrivateKey({ key: jwk as never, format: 'jwk' });
    genuine = await citizenToken(stack, NATIONAL_ID);
    // A real consent artefact: signed by the same key, so it must never pass as a token.
    const custodian = await registerOrganization(stack, ['custodian']);
    const bank = await registerOrganization(stack, ['consumer']);
    const post = async (path: string, token: string, body: unknown) =>
      (await (
        await fetch(stack.url + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { id: string };
    await post('/v1/records', await custodian.token(), {
      subject: { nationalId: NATIONAL_ID },
      category: 'residence',
      fields: { province: 'Hà Nội', streetAddress: '1 Phố Thử' },
    });
    const consent = await post('/v1/consents', await bank.token(), {
      subject: { nationalId: NATIONAL_ID },
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 30,
      justification: 'Thẩm định hồ sơ vay',
    });
    artefact = await (await fetch(`${stack.url}/v1/consents/${consent.id}/artefact`, { headers: { authorization: `Bearer ${genuine}` } })).text();
    expect(artefact.split('.'), artefact).toHaveLength(3);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const asCitizen = (over: JWTPayload = {}): JWTPayload => ({
    role: 'citizen',
    nid: NATIONAL_ID,
    sub: citizenSubject(NATIONAL_ID),
    iss: stack.url,
    aud: 'citizen-vault-api',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
    jti: crypto.randomUUID(),
    ...over,
  });
  const sign = async (payload: JWTPayload, header: Record<string, unknown> = {}, key: CryptoKey = apiKey) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header }).sign(key);
  /** Signs any header, even one jose refuses to produce (an unknown `crit`). */
  const handSigned = (header: Record<string, unknown>, payload: JWTPayload) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${rawSign('sha256', Buffer.from(input), { key: apiKeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const without = (claim: string) => {
    const p = asCitizen();
    delete p[claim];
    return p;
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('answers 401 to every forged or malformed token, and 200 to the genuine one', async () => {
    const other = await generateKeyPair('ES256');
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const hmacWithPublicKey = async () => {
      const h = b64({ alg: 'HS256', kid, typ: 'at+jwt' });
      const p = b64(asCitizen());
      const jwks = await (await fetch(stack.url + '/.well-known/jwks.json')).text();
      return `${h}.${p}.${createHmac('sha256', jwks).update(`${h}.${p}`).digest('base64url')}`;
    };
    const attacks: [string, string, Promise<string> | string][] = [
      ['claims', 'no exp', sign(without('exp'))],
      ['claims', 'no iat', sign(without('iat'))],
      ['claims', 'no sub', sign(without('sub'))],
      ['claims', 'iat a year ahead', sign(asCitizen({ iat: now() + 365 * 86400, exp: now() + 365 * 86400 + 600 }))],
      ['claims', 'iat ten minutes ahead', sign(asCitizen({ iat: now() + 600, exp: now() + 1200 }))],
      ['claims', 'lives a year', sign(asCitizen({ exp: now() + 365 * 86400 }))],
      ['claims', 'expired', sign(asCitizen({ iat: now() - 1200, exp: now() - 600 }))],
      ['claims', 'issued long ago, exp far ahead', sign(asCitizen({ iat: now() - 86400, exp: now() + 600 }))],
      ['claims', 'exp as a string', sign(asCitizen({ exp: String(now() + 600) as unknown as number }))],
      ['claims', 'nbf in the future', sign(asCitizen({ nbf: now() + 3600 }))],
      ['claims', 'wrong issuer', sign(asCitizen({ iss: 'https://evil.example' }))],
      ['claims', 'wrong audience', sign(asCitizen({ aud: 'another-api' }))],
      ['claims', 'unknown role', sign(asCitizen({ role: 'superuser' }))],
      ['claims', 'no role', sign(without('role'))],
      ['header', 'no typ', new SignJWT(asCitizen()).setProtectedHeader({ alg: 'ES256', kid }).sign(apiKey)],
      ['header', 'typ JWT', sign(asCitizen(), { typ: 'JWT' })],
      ['header', 'typ consent+jws', sign(asCitizen(), { typ: 'consent+jws' })],
      ['header', 'typ consent-data+jws', sign(asCitizen(), { typ: 'consent-data+jws' })],
      ['header', 'unknown crit', handSigned({ alg: 'ES256', kid, typ: 'at+jwt', crit: ['x-evil'], 'x-evil': true }, asCitizen())],
      ['header', 'b64 false', handSigned({ alg: 'ES256', kid, typ: 'at+jwt', crit: ['b64'], b64: false }, asCitizen())],
      [
        'header',
        'embedded jwk of an attacker key',
        (async () => {
          const { exportJWK } = await import('jose');
          return sign(asCitizen(), { jwk: await exportJWK(other.publicKey) }, other.privateKey);
        })(),
      ],
      ['header', 'kid with a NUL', sign(asCitizen(), { kid: 'api\u0000' }, other.privateKey)],
      ['algorithm', 'alg none', `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(asCitizen())}.`],
      ['algorithm', 'HS256 keyed with the public JWKS', hmacWithPublicKey()],
      ['algorithm', 'ES384 header on an ES256 signature', `${b64({ alg: 'ES384', kid, typ: 'at+jwt' })}.${payload}.${signature}`],
      ['signature', 'another key, same kid', sign(asCitizen(), {}, other.privateKey)],
      ['signature', 'payload changed to operator', `${header}.${b64({ ...claims, role: 'operator' })}.${signature}`],
      ['signature', 'signature stripped', `${header}.${payload}.`],
      ['signature', 'signature of another token', `${header}.${payload}.${(await citizenToken(stack, '001099055002')).split('.')[2]}`],
      ['confusion', 'the consent artefact itself', artefact],
      [
        'confusion',
        'artefact-shaped JWS with token claims',
        new CompactSign(new TextEncoder().encode(JSON.stringify(asCitizen())))
          .setProtectedHeader({ alg: 'ES256', kid, typ: 'consent+jws', cty: 'application/json' })
          .sign(apiKey),
      ],
      ['format', 'garbage', 'not.a.token'],
      ['format', 'two parts', `${header}.${payload}`],
      ['format', 'JSON payload not an object', `${header}.${Buffer.from('[1,2]').toString('base64url')}.${signature}`],
    ];
    const table = new Map<string, { cases: number; refused: number }>();
    const accepted: string[] = [];
    for (const [kind, name, token] of attacks) {
      const res = await fetch(stack.url + '/v1/me/consents', { headers: { authorization: `Bearer ${await token}` } });
      const row = table.get(kind) ?? { cases: 0, refused: 0 };
      row.cases++;
      if (res.status === 401) row.refused++;
      else accepted.push(`${name}: ${res.status} ${await res.text()}`);
      table.set(kind, row);
    }
    console.info('token attacks (class / cases / refused):\n' + [...table].map(([k, v]) => `  ${k} / ${v.cases} / ${v.refused}`).join('\n'));
    expect(accepted).toEqual([]);
    expect((await fetch(stack.url + '/v1/me/consents', { headers: { authorization: `Bearer ${genuine}` } })).status).toBe(200);
    expect((await fetch(stack.url + '/v1/me/consents', { headers: { authorization: `Bearer ${await sign(asCitizen())}` } })).status).toBe(200);
  });

  it('issues access tokens typed at+jwt (RFC 9068)', () => {
    expect(JSON.parse(Buffer.from(genuine.split('.')[0]!, 'base64url').toString())).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
  });

  it('keeps consents and their artefacts out of caches, and serves /docs under a strict CSP', async () => {
    const artefactRes = await fetch(stack.url + '/v1/me/consents', { headers: { authorization: `Bearer ${genuine}` } });
    expect(artefactRes.headers.get('cache-control')).toBe('no-store');
    const { items } = (await artefactRes.json()) as { items: { id: string }[] };
    const one = await fetch(`${stack.url}/v1/consents/${items[0]!.id}/artefact`, { headers: { authorization: `Bearer ${genuine}` } });
    expect(one.status).toBe(200);
    expect(one.headers.get('cache-control')).toBe('no-store');
    const docs = await fetch(stack.url + '/docs');
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    // The page's only script and style are the ones the hashes allow.
    const html = await docs.text();
    const { createHash } = await import('node:crypto');
    const hashOf = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(csp).toContain(hashOf(/<script>([\s\S]*?)<\/script>/.exec(html)![1]!));
    expect(csp).toContain(hashOf(/<style>([\s\S]*?)<\/style>/.exec(html)![1]!));
    expect(html).not.toMatch(/ style="/);
    expect(docs.headers.get('strict-transport-security')).toBeNull(); // plain http here
  });
});

describe('served over TLS', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { CV_PUBLIC_URL: 'https://vault.example.vn' } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('sets Strict-Transport-Security when its public URL is https', async () => {
    expect((await fetch(stack.url + '/health')).headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });
});
