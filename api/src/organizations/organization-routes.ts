import { Router } from 'express';
import { principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import { OrganizationView, RegisterOrganizationRequest, view } from './organization.js';
import type { OrganizationService } from './organization-service.js';
import type { PgOrganizations } from './pg-organizations.js';

const IdParam = z.object({ id: z.uuid() });
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'post',
  path: '/v1/organizations',
  summary: 'Register an organisation (operator)',
  security,
  request: { body: json(RegisterOrganizationRequest) },
  responses: { 201: { description: 'registered', ...json(OrganizationView) }, ...problemResponses(400, 401, 403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/organizations',
  summary: 'Every organisation, oldest first (operator, auditor)',
  security,
  responses: { 200: { description: 'organisations', ...json(z.object({ items: z.array(OrganizationView) })) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/organizations/{id}/suspend',
  summary: 'Suspend an organisation (operator)',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'suspended', ...json(OrganizationView) }, ...problemResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/organizations/{id}',
  summary: 'An organisation (operator, auditor, or the organisation itself)',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the organisation', ...json(OrganizationView) }, ...problemResponses(401, 403, 404) },
});

export function organizationRoutes(tokens: TokenService, service: OrganizationService, store: PgOrganizations): Router {
  const router = Router();
  router.post('/v1/organizations', requireRole(tokens, 'operator'), async (req, res) => {
    const body = parseInput(RegisterOrganizationRequest, req.body);
    const org = await service.register(body);
    res.status(201).location(`/v1/organizations/${org.id}`).json(view(org));
  });
  router.get('/v1/organizations', requireRole(tokens, 'operator', 'auditor'), async (_req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await store.list()).map(view) });
  });
  router.post('/v1/organizations/:id/suspend', requireRole(tokens, 'operator'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(view(await service.suspend(id)));
  });
  router.get('/v1/organizations/:id', requireRole(tokens, 'operator', 'auditor', 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const caller = principal(req);
    // An organisation sees itself only; answering 404 for others says nothing of who exists.
    const org = caller.role === 'organization' && caller.organizationId !== id ? undefined : await store.get(id);
    if (!org) throw new DomainError('not_found', `organisation ${id} does not exist`);
    res.json(view(org));
  });
  return router;
}
