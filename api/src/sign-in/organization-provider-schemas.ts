import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';

export const OrganizationIdParam = z.object({ id: z.uuid() });

const RoleMappingEntry = z
  .object({
    value: z.string().min(1).max(200).describe("a value of the role claim, e.g. a group name at the organisation's provider"),
    role: z.enum(['organization', 'auditor', 'operator']).describe('the portal role it gives; auditor and operator only to organisations that are one'),
  })
  .strict();

export const PutOrganizationProvider = z
  .object({
    issuer: z.url().max(500).describe("the provider's issuer; its discovery document is at {issuer}/.well-known/openid-configuration"),
    clientId: z.string().min(1).max(200),
    clientSecret: z.string().min(16).max(500).describe('sealed at rest with the key-encryption key; never returned'),
    scopes: z
      .string()
      .regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'space-separated scopes')
      .max(500)
      .refine((s) => s.split(' ').includes('openid'), 'must include openid')
      .default('openid profile'),
    roleClaim: z
      .string()
      .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'a claim name')
      .default('groups')
      .describe('the ID-token claim that carries the person’s groups or roles (a string or an array of strings)'),
    roleMapping: z
      .array(RoleMappingEntry)
      .min(1)
      .max(20)
      .describe('in order: the first value the person has decides their role; a person none names is refused'),
  })
  .strict()
  .openapi('PutOrganizationProvider');

export const OrganizationProviderView = z
  .object({
    organizationId: z.string(),
    issuer: z.string(),
    clientId: z.string(),
    scopes: z.string(),
    roleClaim: z.string(),
    roleMapping: z.array(RoleMappingEntry),
    updatedAt: z.string(),
    signInUrl: z.string().describe("where the organisation's staff start signing in to the portal"),
  })
  .openapi('OrganizationProvider');

export const PublicProviderView = z.object({ organizationId: z.string(), name: z.string(), signInUrl: z.string() }).openapi('OrganizationSignInChoice');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'put',
  path: '/v1/organizations/{id}/sign-in-provider',
  summary: "Set the organisation's own OpenID Connect provider for its staff, and how its role claim maps to portal roles (operator)",
  security,
  request: { params: OrganizationIdParam, body: json(PutOrganizationProvider) },
  responses: { 200: { description: 'the provider, without its secret', ...json(OrganizationProviderView) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/organizations/{id}/sign-in-provider',
  summary: "The organisation's own identity provider, without its secret (operator, auditor, or the organisation itself)",
  security,
  request: { params: OrganizationIdParam },
  responses: { 200: { description: 'the provider', ...json(OrganizationProviderView) }, ...problemResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'delete',
  path: '/v1/organizations/{id}/sign-in-provider',
  summary: "Stop signing the organisation's staff in through its own provider (operator); sessions already open end at their expiry",
  security,
  request: { params: OrganizationIdParam },
  responses: { 204: { description: 'removed' }, ...problemResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/auth/providers',
  summary: "The organisations whose staff sign in through their own identity provider, for the portal's sign-in page",
  responses: { 200: { description: 'the choices', ...json(z.object({ items: z.array(PublicProviderView) })) } },
});
