import { problemResponses, registry, z } from '../http/openapi.js';

const NationalId = z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits');
export const DevTokenRequest = z
  .discriminatedUnion('role', [
    z.object({ role: z.literal('citizen'), nationalId: NationalId }).strict(),
    z.object({ role: z.literal('operator') }).strict(),
    z.object({ role: z.literal('auditor') }).strict(),
    z.object({ role: z.literal('organization'), organizationId: z.uuid() }).strict(),
  ])
  .openapi('DevTokenRequest');
const TokenResponse = z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }).openapi('TokenResponse');
const DevOrganizations = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) })) }).openapi('DevOrganizations');
const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('Jwks');

registry.registerPath({
  method: 'get',
  path: '/.well-known/jwks.json',
  summary: "The public keys that verify the API's access tokens",
  responses: { 200: { description: 'JWKS', content: { 'application/json': { schema: Jwks } } } },
});

registry.registerPath({
  method: 'post',
  path: '/dev/token',
  summary:
    "Development identity provider (dev mode only): a token for a citizen, the operator, an auditor, or a verified organisation (the portal's enterprise console; in production an organisation uses its own client credentials)",
  request: { body: { content: { 'application/json': { schema: DevTokenRequest } } } },
  responses: { 200: { description: 'token', content: { 'application/json': { schema: TokenResponse } } }, ...problemResponses(400, 403, 404, 429) },
});
registry.registerPath({
  method: 'get',
  path: '/dev/organizations',
  summary: 'Development identity provider (dev mode only): the verified organisations one may sign in as',
  responses: { 200: { description: 'organisations', content: { 'application/json': { schema: DevOrganizations } } } },
});
