import { Router } from 'express';
import { principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import { view } from './organization.js';
import { IdParam, RegisterOrganizationRequest } from './organization-schemas.js';
import type { OrganizationService } from './organization-service.js';

export function organizationRoutes(tokens: TokenService, service: OrganizationService): Router {
  const router = Router();
  router.post('/v1/organizations', requireRole(tokens, 'operator'), async (req, res) => {
    const body = parseInput(RegisterOrganizationRequest, req.body);
    const org = await service.register(body);
    res.status(201).location(`/v1/organizations/${org.id}`).json(view(org));
  });
  router.get('/v1/organizations', requireRole(tokens, 'operator', 'auditor'), async (_req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await service.list()).map(view) });
  });
  router.post('/v1/organizations/:id/suspend', requireRole(tokens, 'operator'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(view(await service.suspend(id)));
  });
  router.get('/v1/organizations/:id', requireRole(tokens, 'operator', 'auditor', 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const caller = principal(req);
    // An organisation sees itself only; answering 404 for others says nothing of who exists.
    const org = caller.role === 'organization' && caller.organizationId !== id ? undefined : await service.get(id);
    if (!org) throw new DomainError('not_found', `organisation ${id} does not exist`);
    res.json(view(org));
  });
  return router;
}
