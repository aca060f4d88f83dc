import { Router } from 'express';
import { registry, problemResponses, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import type { SigningKeys } from './signing-keys.js';
import { citizenSubject, type TokenService } from './tokens.js';

const NationalId = z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits');
const DevTokenRequest = z
  .discriminatedUnion('role', [
    z.object({ role: z.literal('citizen'), nationalId: NationalId }).strict(),
    z.object({ role: z.literal('operator') }).strict(),
    z.object({ role: z.literal('auditor') }).strict(),
  ])
  .openapi('DevTokenRequest');
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }).openapi('TokenResponse');
const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('Jwks');

registry.registerPath({
  method: 'get',
  path: '/.well-known/jwks.json',
  summary: 'The public keys that verify the API\'s access tokens',
  responses: { 200: { description: 'JWKS', content: { 'application/json': { schema: Jwks } } } },
});

export function jwksRoute(keys: SigningKeys): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(keys.jwks);
  });
  return router;
}

registry.registerPath({
  method: 'post',
  path: '/dev/token',
  summary: 'Development identity provider (dev mode only): a token for a citizen, the operator or an auditor',
  request: { body: { content: { 'application/json': { schema: DevTokenRequest } } } },
  responses: { 200: { description: 'token', content: { 'application/json': { schema: TokenResponse } } }, ...problemResponses(400) },
});

/** Stands in for the national identity app and the staff directory in the embedded default. Not mounted outside dev mode. */
export function devTokenRoute(tokens: TokenService): Router {
  const router = Router();
  router.post('/dev/token', async (req, res) => {
    const body = parseInput(DevTokenRequest, req.body);
    const issued = body.role === 'citizen'
      ? await tokens.issue({ role: 'citizen', nationalId: body.nationalId, subject: citizenSubject(body.nationalId) })
      : await tokens.issue({ role: body.role, subject: `dev:${body.role}` });
    res.set('cache-control', 'no-store').json(issued);
  });
  return router;
}
