import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

export const RegisterWebhook = z
  .object({ url: z.string().max(2000) })
  .strict()
  .openapi('RegisterWebhook');
const security = [{ [bearerAuth.name]: [] }];
registry.registerPath({
  method: 'post',
  path: '/v1/webhooks',
  summary: 'Register an endpoint for consent notifications; the signing secret is shown once',
  security,
  request: { body: { content: { 'application/json': { schema: RegisterWebhook } } } },
  responses: {
    201: { description: 'registered', content: { 'application/json': { schema: z.object({ id: z.string(), url: z.string(), secret: z.string() }) } } },
    ...problemResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/webhooks',
  summary: "The calling organisation's webhook endpoints",
  security,
  responses: { 200: { description: 'endpoints' }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/webhooks/deliveries',
  summary: 'Recent deliveries with their status, attempts and last error',
  security,
  responses: { 200: { description: 'deliveries' }, ...problemResponses(401, 403) },
});
