import { problemResponses, registry, z } from '../http/openapi.js';

export const TokenRequest = z
  .object({
    grant_type: z.string(),
    client_assertion_type: z.string(),
    client_assertion: z.string().max(8192),
    client_id: z.string().optional(),
    scope: z.string().optional(),
  })
  .openapi('ClientCredentialsRequest');

registry.registerPath({
  method: 'post',
  path: '/oauth/token',
  summary: 'OAuth 2.0 client credentials with a private_key_jwt client assertion (RFC 7523)',
  request: { body: { content: { 'application/x-www-form-urlencoded': { schema: TokenRequest } } } },
  responses: { 200: { description: 'an access token for the organisation' }, ...problemResponses(400, 401, 429) },
});
