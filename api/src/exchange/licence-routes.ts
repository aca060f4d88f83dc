import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { Organization } from '../organizations/organization.js';
import { licenceView } from './exchange-views.js';
import type { MeteringService } from './metering-service.js';
import type { PgMetering } from './pg-metering.js';
import type { ProductService } from './product-service.js';
import { AGE_BANDS, DIMENSIONS, PurposeCode } from './product-schemas.js';

const IdParam = z.object({ id: z.uuid() });
const LicenceRequest = z
  .object({
    productId: z.uuid(),
    planId: z.string().max(40),
    purpose: PurposeCode,
    /** The product's `termsHash`: the buyer accepts exactly these terms. */
    acceptTerms: z.string().regex(/^[0-9a-f]{64}$/, 'the product\'s termsHash'),
    validUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('LicenceRequest');
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), offset: z.coerce.number().int().min(0).max(100_000).default(0) });
const Query = z
  .object({
    licenceId: z.uuid(),
    groupBy: z.array(z.enum(DIMENSIONS)).max(DIMENSIONS.length).refine((d) => new Set(d).size === d.length, 'dimensions must not repeat').default([]),
    filters: z
      .object({
        province: z.string().trim().min(1).max(100).optional(),
        sex: z.string().trim().min(1).max(20).optional(),
        insuranceStatus: z.string().trim().min(1).max(40).optional(),
        ageBand: z.enum(AGE_BANDS).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .openapi('AggregateQuery');
const ReadQuery = z.object({ licenceId: z.uuid() });
const ReadParams = z.object({ id: z.uuid(), consentId: z.uuid() });
const Metering = z.object({ eventId: z.string(), units: z.number(), amountDong: z.string(), leafIndex: z.number().nullable(), replayed: z.boolean() });
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const LicenceView = z.object({ id: z.string(), productId: z.string(), status: z.enum(['ACTIVE', 'CANCELLED']) }).passthrough().openapi('Licence');

registry.registerPath({ method: 'post', path: '/v1/licences', summary: 'Accept a listed product\'s terms and a plan, for a purpose: a licence on the ledger (verified consumers)', security, request: { body: json(LicenceRequest) }, responses: { 201: { description: 'the licence', ...json(LicenceView) }, ...problemResponses(400, 401, 403, 409) } });
registry.registerPath({ method: 'get', path: '/v1/licences', summary: 'The caller\'s licences (a buyer\'s own; a provider\'s products\'; all for the operator)', security, request: { query: ListQuery }, responses: { 200: { description: 'licences', ...json(z.object({ items: z.array(LicenceView) })) }, ...problemResponses(401, 403) } });
registry.registerPath({ method: 'get', path: '/v1/licences/{id}', summary: 'A licence (its buyer, its product\'s provider, the operator)', security, request: { params: IdParam }, responses: { 200: { description: 'the licence', ...json(LicenceView) }, ...problemResponses(401, 403, 404) } });
registry.registerPath({ method: 'post', path: '/v1/licences/{id}/cancel', summary: 'Cancel a licence (its buyer or the operator); access stops at once', security, request: { params: IdParam }, responses: { 200: { description: 'cancelled', ...json(LicenceView) }, ...problemResponses(401, 403, 404, 409) } });
registry.registerPath({
  method: 'get',
  path: '/v1/licences/{id}/usage',
  summary: 'Usage of a licence: quota windows, totals per month, the privacy budget, recent metered calls',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'usage', ...json(z.object({ licence: LicenceView, windows: z.array(z.unknown()), periods: z.array(z.unknown()), recent: z.array(z.unknown()) })) }, ...problemResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/products/{id}/query',
  summary: 'Statistics from an AGGREGATE product under a licence: cells under the minimum cohort suppressed, opted-out citizens left out, optional Laplace noise; metered once per Idempotency-Key',
  security,
  request: { params: IdParam, body: json(Query) },
  responses: {
    200: { description: 'the statistics', ...json(z.object({ cells: z.array(z.record(z.string(), z.unknown())), suppressedCells: z.number(), minCohortSize: z.number(), noise: z.unknown(), metering: Metering })) },
    ...problemResponses(400, 401, 403, 404, 422, 429),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/products/{id}/records/{consentId}',
  summary: 'One consented record under a CONSENTED product: the product\'s fields through the buyer\'s consent, metered per record (an `Idempotency-Key` header makes a retry of the same read free; the same key for another read is 422)',
  security,
  request: { params: ReadParams, query: ReadQuery },
  responses: { 200: { description: 'the record', ...json(z.object({ fields: z.record(z.string(), z.unknown()), metering: Metering })) }, ...problemResponses(400, 401, 403, 404, 422, 429) },
});

const KEY = /^[\x21-\x7e]{1,255}$/;
function requestKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !KEY.test(key)) throw new DomainError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  return key;
}

export function licenceRoutes(tokens: TokenService, products: ProductService, metering: MeteringService, meteringStore: PgMetering): Router {
  const router = Router();
  const caller = (req: Request): Organization | 'operator' => (principal(req).role === 'operator' ? 'operator' : callingOrganization(req));

  router.post('/v1/licences', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(LicenceRequest, req.body);
    const licence = await products.issueLicence(callingOrganization(req), {
      productId: body.productId,
      planId: body.planId,
      purpose: body.purpose,
      termsHash: body.acceptTerms,
      ...(body.validUntil ? { validUntil: body.validUntil } : {}),
    });
    res.status(201).location(`/v1/licences/${licence.id}`).json(licenceView(licence));
  });

  router.get('/v1/licences', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { limit, offset } = parseInput(ListQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: (await products.licences(caller(req), limit, offset)).map(licenceView) });
  });

  router.get('/v1/licences/:id', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.set('cache-control', 'no-store').json(licenceView((await products.licenceFor(id, caller(req))).licence));
  });

  router.post('/v1/licences/:id/cancel', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(licenceView(await products.cancelLicence(id, caller(req))));
  });

  router.get('/v1/licences/:id/usage', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { licence } = await products.licenceFor(id, caller(req));
    const [usage, recent] = await Promise.all([meteringStore.usage(id), meteringStore.recentEvents(id, 50)]);
    res.set('cache-control', 'no-store').json({
      licence: licenceView(licence),
      windows: usage.windows.map((w) => ({ window: w.window_key, units: Number(w.units) })),
      periods: usage.totals.map((t) => ({ period: t.period, calls: t.calls, units: Number(t.units), amountDong: String(t.amount_dong) })),
      recent: recent.map((e) => ({ id: e.id, period: e.period, units: e.units, amountDong: String(e.amount_dong), epsilon: Number(e.epsilon_micro) / 1e6, leafIndex: e.leaf_index === null ? null : Number(e.leaf_index), at: e.at.toISOString() })),
    });
  });

  router.post('/v1/products/:id/query', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const body = parseInput(Query, req.body);
    const result = await metering.query(callingOrganization(req), id, { licenceId: body.licenceId, groupBy: body.groupBy, filters: body.filters }, requestKey(req));
    res.set('cache-control', 'no-store').json(result);
  });

  router.get('/v1/products/:id/records/:consentId', requireRole(tokens, 'organization'), async (req, res) => {
    const { id, consentId } = parseInput(ReadParams, req.params);
    const { licenceId } = parseInput(ReadQuery, req.query);
    res.set('cache-control', 'no-store').json(await metering.read(callingOrganization(req), id, licenceId, consentId, requestKey(req)));
  });
  return router;
}
