import { Router } from 'express';
import { callingOrganization, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import type { WebhookService } from './webhook-service.js';
import { RegisterWebhook } from './webhook-schemas.js';

export function webhookRoutes(tokens: TokenService, webhooks: WebhookService): Router {
  const router = Router();
  router.post('/v1/webhooks', requireRole(tokens, 'organization'), async (req, res) => {
    const { url } = parseInput(RegisterWebhook, req.body);
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json(await webhooks.register(callingOrganization(req).id, url));
  });
  router.get('/v1/webhooks', requireRole(tokens, 'organization'), async (req, res) => {
    res.json({ items: await webhooks.endpoints(callingOrganization(req).id) });
  });
  router.get('/v1/webhooks/deliveries', requireRole(tokens, 'organization'), async (req, res) => {
    res.json({ items: await webhooks.deliveries(callingOrganization(req).id) });
  });
  return router;
}
