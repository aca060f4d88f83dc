import { Router } from 'express';
import { principal, requireRole } from './auth/authenticate.js';
import type { TokenService } from './auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from './http/openapi.js';

const Me = z.object({ role: z.enum(['citizen', 'operator', 'auditor', 'organization']), subject: z.string(), organizationId: z.string().optional() }).openapi('Me');

registry.registerPath({
  method: 'get',
  path: '/v1/me',
  summary: 'Who the access token belongs to',
  security: [{ [bearerAuth.name]: [] }],
  responses: { 200: { description: 'the caller', content: { 'application/json': { schema: Me } } }, ...problemResponses(401) },
});

/** The caller as the API sees them; a citizen's national id is never echoed back. */
export function meRoutes(tokens: TokenService): Router {
  const router = Router();
  router.get('/v1/me', requireRole(tokens, 'citizen', 'operator', 'auditor', 'organization'), (req, res) => {
    const p = principal(req);
    res.set('cache-control', 'no-store').json({ role: p.role, subject: p.subject, ...(p.organizationId ? { organizationId: p.organizationId } : {}) });
  });
  return router;
}
