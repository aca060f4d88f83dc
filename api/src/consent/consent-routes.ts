import { Router, type Request } from 'express';
import { isFieldPath } from '@citizen-vault/chaincode/rules';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { idempotencyRef, isIdempotentRetry } from '../http/idempotency.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { Organization } from '../organizations/organization.js';
import { accessEventView } from '../audit/index.js';
import type { ConsentService } from './consent-service.js';
import type { ConsentRow } from './consent-store.js';
import { presentRead } from './read/present-read.js';

const STATUSES = ['REQUESTED', 'ACTIVE', 'REJECTED', 'PAUSED', 'REVOKED', 'EXPIRED'] as const;

const ConsentRequest = z
  .object({
    subject: z.object({ nationalId: z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits') }).strict(),
    purpose: z.string(),
    fields: z.array(z.string()).min(1).max(100).refine((f) => new Set(f).size === f.length, 'fields must not repeat'),
    mode: z.enum(['ONCE', 'PERIODIC']),
    frequency: z.object({ limit: z.number().int().min(1).max(100_000), per: z.enum(['DAY', 'MONTH']) }).strict().optional(),
    validUntil: z.iso.datetime({ offset: true }),
    retentionDays: z.number().int().min(0).max(3650),
    justification: z.string().trim().min(10).max(2000),
    onwardTransfer: z.boolean().default(false),
    crossBorder: z.boolean().default(false),
  })
  .strict()
  .refine((c) => (c.mode === 'PERIODIC') === (c.frequency !== undefined), { message: 'a PERIODIC consent needs a frequency; a ONCE consent has none', path: ['frequency'] })
  .openapi('ConsentRequest');

const ConsentView = z
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
  })
  .openapi('Consent');

const Approve = z.object({ fields: z.array(z.string()).min(1).optional() }).strict().openapi('ApproveConsent');
const IdParam = z.object({ id: z.uuid() });
const StatusQuery = z.object({ status: z.enum(STATUSES).optional() });
const ListQuery = z.object({
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const DataQuery = z.object({
  fields: z
    .string()
    .transform((f) => f.split(','))
    .refine((f) => f.length <= 100 && f.every(isFieldPath), 'fields are comma-separated field paths of the vocabulary')
    .optional(),
});
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({ method: 'post', path: '/v1/consents', summary: 'Ask a citizen for consent (consumer organisations)', security, request: { body: json(ConsentRequest) }, responses: { 201: { description: 'requested', ...json(ConsentView) }, ...problemResponses(400, 401, 403) } });
registry.registerPath({
  method: 'get',
  path: '/v1/consents',
  summary: 'The calling organisation\'s consents, newest first, a page at a time (pass nextCursor back as cursor)',
  security,
  request: { query: ListQuery },
  responses: { 200: { description: 'a page', ...json(z.object({ items: z.array(ConsentView), nextCursor: z.string() })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({ method: 'get', path: '/v1/consents/{id}', summary: 'A consent the calling organisation asked for', security, request: { params: IdParam }, responses: { 200: { description: 'the consent', ...json(ConsentView) }, ...problemResponses(401, 403, 404) } });
registry.registerPath({ method: 'get', path: '/v1/me/consents', summary: 'The signed-in citizen\'s consents and requests', security, request: { query: StatusQuery }, responses: { 200: { description: 'consents', ...json(z.object({ items: z.array(ConsentView) })) }, ...problemResponses(401, 403) } });
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
registry.registerPath({ method: 'get', path: '/v1/consents/{id}/artefact', summary: 'The signed consent artefact (JWS over canonical JSON), for the citizen or the consumer', security, request: { params: IdParam }, responses: { 200: { description: 'compact JWS', content: { 'application/jose': { schema: z.string() } } }, ...problemResponses(401, 403, 404) } });
registry.registerPath({
  method: 'get',
  path: '/v1/consents/{id}/data',
  summary: 'Read the granted fields (consumer); `Accept: application/jose` answers a JWE to the organisation\'s X25519 key',
  security,
  request: { params: IdParam, query: DataQuery },
  responses: { 200: { description: 'the granted data', content: { 'application/json': { schema: z.object({ consentId: z.string(), fields: z.record(z.string(), z.unknown()) }) }, 'application/jose': { schema: z.string() } } }, ...problemResponses(401, 403, 404, 429) },
});
const AccessEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/access-events',
  summary: 'Who read the signed-in citizen\'s data, when, under which consent — refusals included; newest first, a page at a time (`nextCursor` is empty on the last page)',
  security,
  request: { query: AccessEventsQuery },
  responses: { 200: { description: 'access events', ...json(z.object({ items: z.array(z.unknown()), nextCursor: z.string() })) }, ...problemResponses(400, 401, 403) },
});

function view(c: ConsentRow): z.infer<typeof ConsentView> {
  return {
    id: c.id,
    status: c.status,
    subjectId: c.subject_id,
    consumer: { id: c.consumer_org_id, name: c.consumer_name },
    purpose: c.purpose,
    requestedFields: c.requested_fields,
    grantedFields: c.granted_fields,
    mode: c.access_mode.mode,
    ...(c.access_mode.mode === 'PERIODIC' ? { frequency: { limit: c.access_mode.limit, per: c.access_mode.per } } : {}),
    validFrom: c.valid_from.toISOString(),
    validUntil: c.valid_until.toISOString(),
    retentionDays: c.retention_days,
    onwardTransfer: c.onward_transfer,
    crossBorder: c.cross_border,
    justification: c.justification,
    requestedAt: c.requested_at.toISOString(),
    decidedAt: c.decided_at?.toISOString() ?? null,
  };
}

export function consentRoutes(tokens: TokenService, consents: ConsentService): Router {
  const router = Router();
  const organizationOf = async (req: Request): Promise<Organization> => callingOrganization(req);
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };

  router.post('/v1/consents', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(ConsentRequest, req.body);
    const consent = await consents.request(await organizationOf(req), {
      nationalId: body.subject.nationalId,
      purpose: body.purpose,
      fields: body.fields,
      accessMode: body.mode === 'ONCE' ? { mode: 'ONCE' } : { mode: 'PERIODIC', limit: body.frequency!.limit, per: body.frequency!.per },
      validUntil: body.validUntil,
      retentionDays: body.retentionDays,
      justification: body.justification,
      onwardTransfer: body.onwardTransfer,
      crossBorder: body.crossBorder,
    }, { ...(idempotencyRef(req) ? { ref: idempotencyRef(req)! } : {}), retry: isIdempotentRetry(req) });
    res.status(201).location(`/v1/consents/${consent.id}`).json(view(consent));
  });

  router.get('/v1/consents', requireRole(tokens, 'organization'), async (req, res) => {
    const query = parseInput(ListQuery, req.query);
    const page = await consents.listForConsumer((await organizationOf(req)).id, {
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.set('cache-control', 'no-store').json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  router.get('/v1/consents/:id', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(view(await consents.forConsumer((await organizationOf(req)).id, id)));
  });

  router.get('/v1/me/consents', requireRole(tokens, 'citizen'), async (req, res) => {
    const { status } = parseInput(StatusQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: (await consents.listForCitizen(nationalIdOf(req), status)).map(view) });
  });

  for (const action of ['approve', 'reject', 'pause', 'resume', 'revoke'] as const) {
    router.post(`/v1/consents/:id/${action}`, requireRole(tokens, 'citizen'), async (req, res) => {
      const { id } = parseInput(IdParam, req.params);
      const fields = action === 'approve' ? parseInput(Approve, req.body ?? {}).fields : undefined;
      res.json(view(await consents.decide(nationalIdOf(req), id, action, fields, { retry: isIdempotentRetry(req) })));
    });
  }

  router.get('/v1/consents/:id/artefact', requireRole(tokens, 'citizen', 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const consent = principal(req).role === 'citizen' ? await consents.ownedByCitizen(nationalIdOf(req), id) : await consents.forConsumer((await organizationOf(req)).id, id);
    res.type('application/jose').send(await consents.artefact(consent));
  });

  router.get('/v1/consents/:id/data', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { fields } = parseInput(DataQuery, req.query);
    const wantsJwe = req.accepts(['application/json', 'application/jose']) === 'application/jose';
    const consumer = await organizationOf(req);
    const body = presentRead(await consents.read(consumer, id, fields));
    res.set('cache-control', 'no-store');
    if (wantsJwe) res.type('application/jose').send(await consents.encryptFor(consumer, body));
    else res.json(body);
  });

  router.get('/v1/me/access-events', requireRole(tokens, 'citizen'), async (req, res) => {
    const query = parseInput(AccessEventsQuery, req.query);
    const page = await consents.accessEventsFor(nationalIdOf(req), { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    res.set('cache-control', 'no-store').json({
      // With the exact bytes its leaf hashes, so the citizen can check the log holds it.
      items: page.items.map((e) => ({ ...accessEventView(e), logEntry: e.log_entry })),
      nextCursor: page.nextCursor,
    });
  });
  return router;
}
