import { Router } from 'express';
import { callingOrganization, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import type { WebhookService } from './webhook-service.js';

const RegisterWebhook = z.object({ url: z.string().max(2000) }).strict().openapi('RegisterWebhook');
const security = [{ [bearerAuth.name]: [] }];
registry.registerPath({
  method: 'post',
  path: '/v1/webhooks',
  summary: 'Register an endpoint for consent notifications; the signing secret is shown once',
  security,
  request: { body: { content: { 'application/json': { schema: RegisterWebhook } } } },
  responses: { 201: { description: 'registered', content: { 'application/json': { schema: z.object({ id: z.string(), url: z.string(), secret: z.string() }) } } }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({ method: 'get', path: '/v1/webhooks', summary: 'The calling organisation\'s webhook endpoints', security, responses: { 200: { description: 'endpoints' }, ...problemResponses(401, 403) } });
registry.registerPath({ method: 'get', path: '/v1/webhooks/deliveries', summary: 'Recent deliveries with their status, attempts and last error', security, responses: { 200: { description: 'deliveries' }, ...problemResponses(401, 403) } });

export function webhookRoutes(tokens: TokenService, webhooks: WebhookService): Router {
  const router = Router();
  router.post('/v1/webhooks', requireRole(tokens, 'organization'), async (req, res) => {
    const { url } = parseInput(RegisterWebhook, req.body);
    res.status(201).set('cache-control', 'no-store').json(await webhooks.register(callingOrganization(req).id, url));
  });
  router.get('/v1/webhooks', requireRole(tokens, 'organization'), async (req, res) => {
    res.json({ items: await webhooks.endpoints(callingOrganization(req).id) });
  });
  router.get('/v1/webhooks/deliveries', requireRole(tokens, 'organization'), async (req, res) => {
    res.json({ items: await webhooks.deliveries(callingOrganization(req).id) });
  });
  return router;
}
