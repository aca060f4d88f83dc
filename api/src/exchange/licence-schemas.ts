import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';
import { AGE_BANDS, DIMENSIONS, PurposeCode } from './exchange-vocabulary.js';

export const IdParam = z.object({ id: z.uuid() });
export const LicenceRequest = z
  .object({
    productId: z.uuid(),
    planId: z.string().max(40),
    purpose: PurposeCode,
    /** The product's `termsHash`: the buyer accepts exactly these terms. */
    acceptTerms: z.string().regex(/^[0-9a-f]{64}$/, "the product's termsHash"),
    validUntil: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('LicenceRequest');
export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export const Query = z
  .object({
    licenceId: z.uuid(),
    groupBy: z
      .array(z.enum(DIMENSIONS))
      .max(DIMENSIONS.length)
      .refine((d) => new Set(d).size === d.length, 'dimensions must not repeat')
      .default([]),
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
export const ReadQuery = z.object({ licenceId: z.uuid() });
export const ReadParams = z.object({ id: z.uuid(), consentId: z.uuid() });
const Metering = z.object({ eventId: z.string(), units: z.number(), amountDong: z.string(), leafIndex: z.number().nullable(), replayed: z.boolean() });
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const LicenceView = z
  .object({ id: z.string(), productId: z.string(), status: z.enum(['ACTIVE', 'CANCELLED']) })
  .passthrough()
  .openapi('Licence');

registry.registerPath({
  method: 'post',
  path: '/v1/licences',
  summary: "Accept a listed product's terms and a plan, for a purpose: a licence on the ledger (verified consumers)",
  security,
  request: { body: json(LicenceRequest) },
  responses: { 201: { description: 'the licence', ...json(LicenceView) }, ...problemResponses(400, 401, 403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/licences',
  summary: "The caller's licences (a buyer's own; a provider's products'; all for the operator)",
  security,
  request: { query: ListQuery },
  responses: { 200: { description: 'licences', ...json(z.object({ items: z.array(LicenceView) })) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/licences/{id}',
  summary: "A licence (its buyer, its product's provider, the operator)",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the licence', ...json(LicenceView) }, ...problemResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/licences/{id}/cancel',
  summary: 'Cancel a licence (its buyer or the operator); access stops at once',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'cancelled', ...json(LicenceView) }, ...problemResponses(401, 403, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/licences/{id}/usage',
  summary: 'Usage of a licence: quota windows, totals per month, the privacy budget, recent metered calls',
  security,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'usage',
      ...json(z.object({ licence: LicenceView, windows: z.array(z.unknown()), periods: z.array(z.unknown()), recent: z.array(z.unknown()) })),
    },
    ...problemResponses(401, 403, 404),
  },
});
registry.registerPath({
  method: 'post',
  path: '/v1/products/{id}/query',
  summary:
    'Statistics from an AGGREGATE product under a licence: cells under the minimum cohort suppressed, opted-out citizens left out, optional Laplace noise; metered once per Idempotency-Key',
  security,
  request: { params: IdParam, body: json(Query) },
  responses: {
    200: {
      description: 'the statistics',
      ...json(
        z.object({
          cells: z.array(z.record(z.string(), z.unknown())),
          suppressedCells: z.number(),
          minCohortSize: z.number(),
          noise: z.unknown(),
          metering: Metering,
        }),
      ),
    },
    ...problemResponses(400, 401, 403, 404, 409, 422, 429),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/products/{id}/records/{consentId}',
  summary:
    "One consented record under a CONSENTED product: the product's fields through the buyer's consent, metered per record (an `Idempotency-Key` header makes a retry of the same read free; the same key for another read is 422)",
  security,
  request: { params: ReadParams, query: ReadQuery },
  responses: {
    200: { description: 'the record', ...json(z.object({ fields: z.record(z.string(), z.unknown()), metering: Metering })) },
    ...problemResponses(400, 401, 403, 404, 409, 422, 429),
  },
});
