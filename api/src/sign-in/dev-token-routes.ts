import { Router } from 'express';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { SigningKeys } from '../auth/signing-keys.js';
import { citizenSubject, type TokenService } from '../auth/tokens.js';
import { DevTokenRequest } from './dev-token-schemas.js';
import type { OrganizationDirectory } from './organization-directory.js';

export function jwksRoute(keys: SigningKeys): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(keys.jwks);
  });
  return router;
}

/**
 * Stands in for the national identity app, the staff directory and — for the portal's enterprise
 * console — an organisation's own identity provider, in the embedded default. Not mounted outside dev mode.
 */
export function devTokenRoute(tokens: TokenService, organizations: OrganizationDirectory): Router {
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
