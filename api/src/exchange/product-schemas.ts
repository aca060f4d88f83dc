import { isFieldPath } from '@citizen-vault/chaincode/rules';
import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';
import { DIMENSIONS, PurposeCode } from './exchange-vocabulary.js';

// The chaincode's schemas come from its own (CommonJS) copy of zod, which the OpenAPI extension does
// not reach; these mirror them with the API's zod, and the ledger checks its own again.
const FieldList = z
  .array(z.string().refine(isFieldPath, 'must be a field of the published vocabulary, such as residence.province'))
  .min(1)
  .max(200)
  .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field');
const Quota = z.object({ units: z.number().int().min(1), per: z.enum(['DAY', 'MONTH', 'LICENCE']) }).strict();

const localized = (max: number) => z.object({ vi: z.string().trim().min(1).max(max), en: z.string().trim().min(1).max(max) }).strict();

/** The terms as the provider writes them: an empty purpose list is accepted here so the pre-listing check can flag it. */
export const TermsBody = z
  .object({
    permittedPurposes: z.array(PurposeCode).max(20),
    durationDays: z.number().int().min(1).max(3650),
    prohibitedActions: z.array(z.enum(['re_identification', 'resale', 'onward_transfer', 'profiling', 'linkage'])).max(10),
    crossBorder: z.boolean(),
    attribution: z.boolean(),
    quota: Quota.nullable().default(null),
    /** Aggregate products: the smallest cohort a statistic may describe. */
    minCohortSize: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .openapi('LicenceTerms');

export const PlanBody = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a short plan code'),
    kind: z.enum(['PAY_PER_QUERY', 'PER_RECORD', 'SUBSCRIPTION', 'FREE']),
    priceDong: z.string().regex(/^(0|[1-9][0-9]{0,17})$/, 'must be a whole number of đồng, as a string'),
    includedUnits: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((p) => (p.kind === 'FREE') === (p.priceDong === '0'), 'a FREE plan costs 0 đồng, and only a FREE plan does')
  .refine((p) => !(p.kind === 'SUBSCRIPTION' || p.kind === 'FREE') || (p.includedUnits ?? 0) > 0, {
    message: 'a SUBSCRIPTION or FREE plan includes a monthly quota of units (includedUnits > 0)',
  })
  .openapi('PricingPlan');

export const AggregateSpec = z
  .object({
    dimensions: z
      .array(z.enum(DIMENSIONS))
      .min(1)
      .max(DIMENSIONS.length)
      .refine((d) => new Set(d).size === d.length, 'dimensions must not repeat'),
    /** Laplace noise of scale 1/ε on every count, and the ε a licence may spend in all. */
    privacy: z
      .object({ epsilonPerQuery: z.number().min(0.01).max(10), budgetPerLicence: z.number().min(0.01).max(1000) })
      .strict()
      .optional(),
  })
  .strict();
export const ConsentedSpec = z.object({ purpose: PurposeCode, fields: FieldList }).strict();
export const DatasetSpec = z.object({ format: z.enum(['CSV', 'JSON', 'PARQUET']), recordCount: z.number().int().min(0) }).strict();

export const ProductBody = z
  .object({
    title: localized(200),
    description: localized(5000),
    kind: z.enum(['AGGREGATE', 'CONSENTED', 'DATASET']),
    /** A JSON Schema of what a buyer receives. */
    outputSchema: z.record(z.string(), z.unknown()).refine((s) => Object.keys(s).length > 0, 'describe the output'),
    terms: TermsBody,
    plans: z
      .array(PlanBody)
      .min(1)
      .max(10)
      .refine((p) => new Set(p.map((x) => x.id)).size === p.length, 'plan ids must be unique'),
    aggregate: AggregateSpec.optional(),
    consented: ConsentedSpec.optional(),
    dataset: DatasetSpec.optional(),
  })
  .strict()
  .refine((p) => (p.kind === 'AGGREGATE') === (p.aggregate !== undefined), {
    message: 'an AGGREGATE product, and only one, has `aggregate`',
    path: ['aggregate'],
  })
  .refine((p) => (p.kind === 'CONSENTED') === (p.consented !== undefined), {
    message: 'a CONSENTED product, and only one, has `consented`',
    path: ['consented'],
  })
  .refine((p) => (p.kind === 'DATASET') === (p.dataset !== undefined), { message: 'a DATASET product, and only one, has `dataset`', path: ['dataset'] })
  .refine((p) => p.kind !== 'CONSENTED' || !p.consented || p.terms.permittedPurposes.length === 0 || p.terms.permittedPurposes.includes(p.consented.purpose), {
    message: 'the consent purpose must be one of the permitted purposes',
    path: ['consented', 'purpose'],
  })
  .openapi('ProductRequest');

export type ProductBodyValue = z.infer<typeof ProductBody>;
export type TermsValue = z.infer<typeof TermsBody>;
export type PlanValue = z.infer<typeof PlanBody>;
export type ProductSpec =
  { aggregate: z.infer<typeof AggregateSpec> } | { consented: z.infer<typeof ConsentedSpec> } | { dataset: z.infer<typeof DatasetSpec> };

// The product routes' own parameters and answers, and their place in the OpenAPI document.

export const PRODUCT_STATUSES = ['DRAFT', 'PENDING_REVIEW', 'LISTED', 'SUSPENDED', 'DELISTED'] as const;
export const ProductIdParam = z.object({ id: z.uuid() });
export const CatalogueQuery = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  kind: z.enum(['AGGREGATE', 'CONSENTED', 'DATASET']).optional(),
  status: z.enum(PRODUCT_STATUSES).optional(),
  mine: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
// Codes, not free text: the reason is written on a public ledger.
export const Reject = z
  .object({ reason: z.enum(['missing_purposes', 'reidentification_risk', 'resale_permitted', 'no_minimum_cohort', 'unclear_terms', 'pricing', 'other']) })
  .strict()
  .openapi('RejectProduct');
const ProductView = z
  .object({ id: z.string(), status: z.enum(PRODUCT_STATUSES), kind: z.string(), title: z.object({ vi: z.string(), en: z.string() }) })
  .passthrough()
  .openapi('Product');
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'post',
  path: '/v1/products',
  summary: "Draft a data product (provider organisations); the pre-listing check's flags come back with it",
  security,
  request: { body: json(ProductBody) },
  responses: { 201: { description: 'the draft', ...json(ProductView) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/products',
  summary:
    'The public catalogue: listed products, searchable (`q`, `kind`) and paginated. With a token, the operator may filter any `status`, and a provider see its own (`mine=true`)',
  request: { query: CatalogueQuery },
  responses: {
    200: { description: 'a page', ...json(z.object({ items: z.array(ProductView), total: z.number(), limit: z.number(), offset: z.number() })) },
    ...problemResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/products/{id}',
  summary: "A product's page (public when listed or suspended)",
  request: { params: ProductIdParam },
  responses: { 200: { description: 'the product', ...json(ProductView) }, ...problemResponses(404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/products/{id}/submit',
  summary: 'Submit a draft for review (its provider): runs the pre-listing check, then puts the product on the ledger',
  security,
  request: { params: ProductIdParam },
  responses: { 200: { description: 'pending review', ...json(ProductView) }, ...problemResponses(401, 403, 404, 409, 422) },
});
for (const action of ['approve', 'reject', 'suspend', 'reinstate', 'delist'] as const) {
  registry.registerPath({
    method: 'post',
    path: `/v1/products/{id}/${action}`,
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} a product (the operator)${action === 'reject' ? ', with a reason code' : ''}`,
    security,
    request: { params: ProductIdParam, ...(action === 'reject' ? { body: json(Reject) } : {}) },
    responses: { 200: { description: 'the product after the ledger committed it', ...json(ProductView) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
}
