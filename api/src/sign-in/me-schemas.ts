import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

const Me = z
  .object({ role: z.enum(['citizen', 'operator', 'auditor', 'organization']), subject: z.string(), organizationId: z.string().optional() })
  .openapi('Me');

registry.registerPath({
  method: 'get',
  path: '/v1/me',
  summary: 'Who the access token belongs to',
  security: [{ [bearerAuth.name]: [] }],
  responses: { 200: { description: 'the caller', content: { 'application/json': { schema: Me } } }, ...problemResponses(401) },
});
