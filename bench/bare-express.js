// The baselines: a bare Express 5 JSON endpoint, no auth, no database, no crypto (`/json`); and
// the same behind one JWT verification (`/jwt`: an ES256 bearer token checked with jose, as the
// issue's goal states its baseline).
import express from 'express';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';

const body = { consentId: '0193a0c0-0000-7000-8000-000000000000', fields: { 'residence.province': 'Hà Nội', 'health_insurance.status': 'ACTIVE' } };
const { publicKey, privateKey } = await generateKeyPair('ES256');
const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] });
const token = await new SignJWT({ role: 'organization' })
  .setProtectedHeader({ alg: 'ES256', kid: 'k', typ: 'at+jwt' })
  .setIssuer('bench')
  .setAudience('bench')
  .setSubject('bank')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

const app = express();
app.disable('x-powered-by');
app.get('/json', (_req, res) => {
  res.json(body);
});
app.get('/jwt', async (req, res) => {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  try {
    await jwtVerify(match?.[1] ?? '', keys, { issuer: 'bench', audience: 'bench', algorithms: ['ES256'], typ: 'at+jwt' });
  } catch {
    res.status(401).end();
    return;
  }
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port, token }) + '\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
