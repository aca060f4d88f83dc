import { Router } from 'express';
import { registry, problemResponses, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { PgOrganizations } from '../organizations/pg-organizations.js';
import type { SigningKeys } from './signing-keys.js';
import { citizenSubject, type TokenService } from './tokens.js';

const NationalId = z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits');
const DevTokenRequest = z
  .discriminatedUnion('role', [
    z.object({ role: z.literal('citizen'), nationalId: NationalId }).strict(),
    z.object({ role: z.literal('operator') }).strict(),
    z.object({ role: z.literal('auditor') }).strict(),
    z.object({ role: z.literal('organization'), organizationId: z.uuid() }).strict(),
  ])
  .openapi('DevTokenRequest');
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }).openapi('TokenResponse');
const DevOrganizations = z
  .object({ items: z.array(z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) })) })
  .openapi('DevOrganizations');
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
  summary: 'Development identity provider (dev mode only): a token for a citizen, the operator, an auditor, or a verified organisation (the portal\'s enterprise console; in production an organisation uses its own client credentials)',
  request: { body: { content: { 'application/json': { schema: DevTokenRequest } } } },
  responses: { 200: { description: 'token', content: { 'application/json': { schema: TokenResponse } } }, ...problemResponses(400, 403, 404, 429) },
});
registry.registerPath({
  method: 'get',
  path: '/dev/organizations',
  summary: 'Development identity provider (dev mode only): the verified organisations one may sign in as',
  responses: { 200: { description: 'organisations', content: { 'application/json': { schema: DevOrganizations } } } },
});

/**
 * Stands in for the national identity app, the staff directory and — for the portal's enterprise
 * console — an organisation's own identity provider, in the embedded default. Not mounted outside dev mode.
 */
export function devTokenRoute(tokens: TokenService, organizations: PgOrganizations): Router {
  const router = Router();
  router.post('/dev/token', async (req, res) => {
    const body = parseInput(DevTokenRequest, req.body);
    let issued;
    if (body.role === 'citizen') {
      issued = await tokens.issue({ role: 'citizen', nationalId: body.nationalId, subject: citizenSubject(body.nationalId) });
    } else if (body.role === 'organization') {
      const org = await organizations.get(body.organizationId);
      if (!org) throw new DomainError('not_found', `organisation ${body.organizationId} does not exist`);
      if (org.status !== 'VERIFIED') throw new DomainError('forbidden', 'the organisation is suspended');
      issued = await tokens.issue({ role: 'organization', organizationId: org.id, subject: `org:${org.id}` });
    } else {
      issued = await tokens.issue({ role: body.role, subject: `dev:${body.role}` });
    }
    res.set('cache-control', 'no-store').json(issued);
  });
  router.get('/dev/organizations', async (_req, res) => {
    const items = (await organizations.list()).filter((o) => o.status === 'VERIFIED' && !o.roles.includes('operator'));
    res.set('cache-control', 'no-store').json({ items: items.map((o) => ({ id: o.id, name: o.name, roles: o.roles })) });
  });
  return router;
}
