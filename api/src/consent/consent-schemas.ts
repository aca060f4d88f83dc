import { isFieldPath } from '@citizen-vault/chaincode/rules';
import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

/** The consent API's schemas: they parse the requests and describe them, with the answers, in the OpenAPI document. */
const STATUSES = ['REQUESTED', 'ACTIVE', 'REJECTED', 'PAUSED', 'REVOKED', 'EXPIRED'] as const;

export const ConsentRequest = z
  .object({
    subject: z.object({ nationalId: z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits') }).strict(),
    purpose: z.string(),
    fields: z
      .array(z.string())
      .min(1)
      .max(100)
      .refine((f) => new Set(f).size === f.length, 'fields must not repeat'),
    mode: z.enum(['ONCE', 'PERIODIC']),
    frequency: z
      .object({ limit: z.number().int().min(1).max(100_000), per: z.enum(['DAY', 'MONTH']) })
      .strict()
      .optional(),
    validUntil: z.iso.datetime({ offset: true }),
    retentionDays: z.number().int().min(0).max(3650),
    justification: z.string().trim().min(10).max(2000),
    onwardTransfer: z.boolean().default(false),
    crossBorder: z.boolean().default(false),
  })
  .strict()
  .refine((c) => (c.mode === 'PERIODIC') === (c.frequency !== undefined), {
    message: 'a PERIODIC consent needs a frequency; a ONCE consent has none',
    path: ['frequency'],
  })
  .openapi('ConsentRequest');

export const ConsentView = z
  .object({
    id: z.string(),
    status: z.enum(STATUSES),
    subjectId: z.string(),
    consumer: z.object({ id: z.string(), name: z.string() }),
    purpose: z.string(),
    requestedFields: z.array(z.string()),
    grantedFields: z.array(z.string()),
    mode: z.enum(['ONCE', 'PERIODIC']),
    frequency: z.object({ limit: z.number(), per: z.string() }).optional(),
    validFrom: z.string(),
    validUntil: z.string(),
    retentionDays: z.number(),
    onwardTransfer: z.boolean(),
    crossBorder: z.boolean(),
    justification: z.string(),
    requestedAt: z.string(),
    decidedAt: z.string().nullable(),
    notices: z
      .array(
        z
          .object({ kind: z.enum(['purpose', 'field', 'organization']), key: z.string(), version: z.number(), hash: z.string() })
          .openapi('NoticeRef', { description: 'A notice version the request showed; its text is at /v1/notices/{kind}/{key}/{version}' }),
      )
      .openapi({ description: 'The notice versions the request showed, as its artefact names them (empty for a consent made before notices were versioned)' }),
    supersedes: z
      .string()
      .nullable()
      .openapi({ description: 'For a re-consent request after a material notice change: the consent it replaces, which answering it revokes' }),
  })
  .openapi('Consent');

export const Approve = z
  .object({ fields: z.array(z.string()).min(1).optional() })
  .strict()
  .openapi('ApproveConsent');
export const IdParam = z.object({ id: z.uuid() });
export const StatusQuery = z.object({ status: z.enum(STATUSES).optional() });
export const ListQuery = z.object({
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const DataQuery = z.object({
  fields: z
    .string()
    .transform((f) => f.split(','))
    .refine((f) => f.length <= 100 && f.every(isFieldPath), 'fields are comma-separated field paths of the vocabulary')
    .optional(),
});
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
/**
 * A consented read's answer, exactly as sent (see `read/present-read.ts`): no property the document
 * does not declare. The JWE form carries this same JSON, signed, as its content.
 */
export const ConsentedData = z
  .object({
    consentId: z.string(),
    subjectId: z.string().describe("the citizen's pseudonymous subject id"),
    purpose: z.string(),
    fields: z.record(z.string(), z.unknown()).describe('the granted fields asked for, by `category.field` path'),
    provenance: z
      .array(z.object({ recordId: z.string(), version: z.number().int(), category: z.string(), commitment: z.string() }).strict())
      .describe('the record versions the values came from; their commitments are anchored on the ledger'),
  })
  .strict();
export const AccessEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

/**
 * Registers the consent API's paths in the OpenAPI document. Called once, where the routes module is
 * evaluated, so the document's paths keep the order in which the route modules are loaded.
 */
export function registerConsentPaths(): void {
  registry.registerPath({
    method: 'post',
    path: '/v1/consents',
    summary: 'Ask a citizen for consent (consumer organisations)',
    security,
    request: { body: json(ConsentRequest) },
    responses: { 201: { description: 'requested', ...json(ConsentView) }, ...problemResponses(400, 401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/consents',
    summary: "The calling organisation's consents, newest first, a page at a time (pass nextCursor back as cursor)",
    security,
    request: { query: ListQuery },
    responses: {
      200: { description: 'a page', ...json(z.object({ items: z.array(ConsentView), nextCursor: z.string() })) },
      ...problemResponses(400, 401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/consents/{id}',
    summary: 'A consent the calling organisation asked for',
    security,
    request: { params: IdParam },
    responses: { 200: { description: 'the consent', ...json(ConsentView) }, ...problemResponses(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/consents',
    summary: "The signed-in citizen's consents and requests",
    security,
    request: { query: StatusQuery },
    responses: { 200: { description: 'consents', ...json(z.object({ items: z.array(ConsentView) })) }, ...problemResponses(401, 403) },
  });
  for (const action of ['approve', 'reject', 'pause', 'resume', 'revoke'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/v1/consents/{id}/${action}`,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} a consent (the citizen it is about); answered after the ledger commits`,
      security,
      request: { params: IdParam, ...(action === 'approve' ? { body: json(Approve) } : {}) },
      responses: { 200: { description: 'the consent after the decision', ...json(ConsentView) }, ...problemResponses(400, 401, 403, 404, 409) },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/v1/consents/{id}/artefact',
    summary: 'The signed consent artefact (JWS over canonical JSON), for the citizen or the consumer',
    security,
    request: { params: IdParam },
    responses: { 200: { description: 'compact JWS', content: { 'application/jose': { schema: z.string() } } }, ...problemResponses(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/consents/{id}/data',
    summary: "Read the granted fields (consumer); `Accept: application/jose` answers a JWE to the organisation's X25519 key",
    security,
    request: { params: IdParam, query: DataQuery },
    responses: {
      200: { description: 'the granted data', content: { 'application/json': { schema: ConsentedData }, 'application/jose': { schema: z.string() } } },
      ...problemResponses(401, 403, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/access-events',
    summary:
      "Who read the signed-in citizen's data, when, under which consent — refusals included; newest first, a page at a time (`nextCursor` is empty on the last page)",
    security,
    request: { query: AccessEventsQuery },
    responses: {
      200: { description: 'access events', ...json(z.object({ items: z.array(z.unknown()), nextCursor: z.string() })) },
      ...problemResponses(400, 401, 403),
    },
  });
}
