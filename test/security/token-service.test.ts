import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys } from '../../api/src/auth/signing-keys.js';
import { TokenService } from '../../api/src/auth/tokens.js';

/** The token checks without a server: the API's own tokens, and citizens' tokens from an OpenID Connect provider. */
describe('TokenService claim checks', () => {
  let dir: string;
  let jwksServer: Server;
  let idp: { privateKey: CryptoKey; publicKey: CryptoKey };
  let tokens: TokenService;
  const ISSUER = 'https://id.example.vn';
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-tokens-'));
    const keys = await loadOrCreateSigningKeys(join(dir, 'key.jwk'));
    idp = await generateKeyPair('ES256');
    const jwks = JSON.stringify({
      keys: [
        { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'other' },
        { ...(await exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'ES256' },
      ],
    });
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
    const port = (jwksServer.address() as { port: number }).port;
    tokens = new TokenService({
      keys,
      issuer: 'https://api.example.vn',
      audience: 'citizen-vault-api',
      citizenOidc: { issuer: ISSUER, jwksUrl: `http://127.0.0.1:${port}/jwks` },
    });
  });
  afterAll(async () => {
    jwksServer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const idToken = (claims: Record<string, unknown>) =>
    new SignJWT({ national_id: '001099022001', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(ISSUER)
      .setAudience('citizen-vault-api')
      .sign(idp.privateKey);

  it('accepts its own fresh token, typed at+jwt', async () => {
    const { access_token } = await tokens.issue({ role: 'auditor', subject: 'dev:auditor' });
    await expect(tokens.verify(access_token)).resolves.toMatchObject({ role: 'auditor' });
  });

  it("accepts a citizen's ID token with exp and a sensible iat, and refuses one without iat, or issued ahead or long ago", async () => {
    await expect(tokens.verify(await idToken({ iat: now(), exp: now() + 300 }))).resolves.toMatchObject({ role: 'citizen' });
    for (const [what, claims] of [
      ['no iat', { exp: now() + 300 }],
      ['no exp', { iat: now() }],
      ['iat a year ahead', { iat: now() + 365 * 86400, exp: now() + 365 * 86400 + 300 }],
      ['iat two days ago', { iat: now() - 2 * 86400, exp: now() + 300 }],
    ] as const) {
      await expect(tokens.verify(await idToken(claims)), what).rejects.toMatchObject({ code: 'unauthorized' });
    }
  });
});
