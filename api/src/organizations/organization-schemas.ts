import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

const PublicJwk = z
  .object({
    kty: z.enum(['EC', 'OKP']),
    crv: z.enum(['P-256', 'Ed25519', 'X25519']),
    x: z.string().regex(/^[A-Za-z0-9_-]{40,}$/),
    y: z
      .string()
      .regex(/^[A-Za-z0-9_-]{40,}$/)
      .optional(),
    kid: z.string().min(1).max(100),
    use: z.enum(['sig', 'enc']),
    alg: z.string().max(30).optional(),
  })
  .strict() // a private key (`d`) is refused outright: we must never hold an organisation's secrets
  .refine(
    (k) => (k.kty === 'EC') === (k.crv === 'P-256') && (k.kty === 'EC') === (k.y !== undefined),
    'EC keys are P-256 with x and y; OKP keys are Ed25519 or X25519',
  )
  .refine((k) => (k.crv === 'X25519') === (k.use === 'enc'), 'X25519 keys are for encryption (use "enc"); P-256 and Ed25519 keys sign (use "sig")');

export const OrganizationJwks = z
  .object({ keys: z.array(PublicJwk).min(2).max(10) })
  .refine((j) => j.keys.some((k) => k.use === 'sig'), 'a signing key (P-256 or Ed25519, use "sig") for client assertions is required')
  .refine((j) => j.keys.some((k) => k.use === 'enc'), 'an X25519 encryption key (use "enc") for data sent to the organisation is required')
  .refine((j) => new Set(j.keys.map((k) => k.kid)).size === j.keys.length, 'key ids (kid) must be unique')
  .openapi('OrganizationJwks');

export const RegisterOrganizationRequest = z
  .object({
    name: z.string().trim().min(2).max(200),
    registrationNumber: z.string().regex(/^[A-Za-z0-9-]{5,30}$/, 'an enterprise registration number, letters, digits and dashes'),
    roles: z
      .array(z.enum(['custodian', 'provider', 'consumer', 'auditor']))
      .min(1)
      .max(4)
      .refine((r) => new Set(r).size === r.length, 'roles must not repeat'),
    jwks: OrganizationJwks,
  })
  .strict()
  .openapi('RegisterOrganizationRequest');

export const OrganizationView = z
  .object({
    id: z.string(),
    name: z.string(),
    registrationNumber: z.string(),
    roles: z.array(z.string()),
    status: z.enum(['VERIFIED', 'SUSPENDED']),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
    createdAt: z.string(),
  })
  .openapi('Organization');

export const IdParam = z.object({ id: z.uuid() });
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
