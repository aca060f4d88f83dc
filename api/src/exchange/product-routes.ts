import { Router, type Request } from 'express';
import { callingOrganization, requireRole } from '../auth/authenticate.js';
import type { Principal, TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { Organization } from '../organizations/organization.js';
import { productView } from './exchange-views.js';
import type { ProductService, ReviewAction } from './product-service.js';
import { ProductBody } from './product-schemas.js';

const STATUSES = ['DRAFT', 'PENDING_REVIEW', 'LISTED', 'SUSPENDED', 'DELISTED'] as const;
const IdParam = z.object({ id: z.uuid() });
const CatalogueQuery = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  kind: z.enum(['AGGREGATE', 'CONSENTED', 'DATASET']).optional(),
  status: z.enum(STATUSES).optional(),
  mine: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
// Codes, not free text: the reason is written on a public ledger.
const Reject = z.object({ reason: z.enum(['missing_purposes', 'reidentification_risk', 'resale_permitted', 'no_minimum_cohort', 'unclear_terms', 'pricing', 'other']) }).strict().openapi('RejectProduct');
const ProductView = z.object({ id: z.string(), status: z.enum(STATUSES), kind: z.string(), title: z.object({ vi: z.string(), en: z.string() }) }).passthrough().openapi('Product');
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({ method: 'post', path: '/v1/products', summary: 'Draft a data product (provider organisations); the pre-listing check\'s flags come back with it', security, request: { body: json(ProductBody) }, responses: { 201: { description: 'the draft', ...json(ProductView) }, ...problemResponses(400, 401, 403) } });
registry.registerPath({
  method: 'get',
  path: '/v1/products',
  summary: 'The public catalogue: listed products, searchable (`q`, `kind`) and paginated. With a token, the operator may filter any `status`, and a provider see its own (`mine=true`)',
  request: { query: CatalogueQuery },
  responses: { 200: { description: 'a page', ...json(z.object({ items: z.array(ProductView), total: z.number(), limit: z.number(), offset: z.number() })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({ method: 'get', path: '/v1/products/{id}', summary: 'A product\'s page (public when listed or suspended)', request: { params: IdParam }, responses: { 200: { description: 'the product', ...json(ProductView) }, ...problemResponses(404) } });
registry.registerPath({ method: 'post', path: '/v1/products/{id}/submit', summary: 'Submit a draft for review (its provider): runs the pre-listing check, then puts the product on the ledger', security, request: { params: IdParam }, responses: { 200: { description: 'pending review', ...json(ProductView) }, ...problemResponses(401, 403, 404, 409, 422) } });
for (const action of ['approve', 'reject', 'suspend', 'reinstate', 'delist'] as const) {
  registry.registerPath({
    method: 'post',
    path: `/v1/products/{id}/${action}`,
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} a product (the operator)${action === 'reject' ? ', with a reason code' : ''}`,
    security,
    request: { params: IdParam, ...(action === 'reject' ? { body: json(Reject) } : {}) },
    responses: { 200: { description: 'the product after the ledger committed it', ...json(ProductView) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
}

/** Optional authentication for public pages: no header, the public; a header, it must be valid. */
async function optionalPrincipal(tokens: TokenService, req: Request): Promise<Principal | undefined> {
  const header = req.get('authorization');
  if (!header) return undefined;
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) throw new DomainError('unauthorized', 'a bearer access token is required');
  return tokens.verify(token);
}

const viewerOf = (p: Principal | undefined): Organization | 'operator' | undefined =>
  p?.role === 'operator' ? 'operator' : p?.role === 'organization' ? (p.organization as Organization | undefined) : undefined;

export function productRoutes(tokens: TokenService, products: ProductService): Router {
  const router = Router();

  router.post('/v1/products', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(ProductBody, req.body);
    const product = await products.create(callingOrganization(req), body);
    res.status(201).location(`/v1/products/${product.id}`).json(productView(product, true));
  });

  router.get('/v1/products', async (req, res) => {
    const query = parseInput(CatalogueQuery, req.query);
    const viewer = viewerOf(await optionalPrincipal(tokens, req));
    const mine = query.mine === 'true';
    if (mine && (viewer === undefined || viewer === 'operator')) throw new DomainError('forbidden', '`mine` needs a provider organisation\'s token');
    if (query.status && query.status !== 'LISTED' && viewer !== 'operator' && !mine) throw new DomainError('forbidden', 'only the operator browses products by status; a provider uses mine=true');
    const page = await products.catalogue({
      ...(query.q ? { q: query.q } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      statuses: query.status ? [query.status] : mine ? STATUSES : ['LISTED'],
      ...(mine && typeof viewer === 'object' ? { providerOrgId: viewer.id } : {}),
      limit: query.limit,
      offset: query.offset,
    });
    const internal = viewer === 'operator' || mine;
    res.set('cache-control', viewer ? 'no-store' : 'public, max-age=30').json({ items: page.items.map((p) => productView(p, internal)), total: page.total, limit: query.limit, offset: query.offset });
  });

  router.get('/v1/products/:id', async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const viewer = viewerOf(await optionalPrincipal(tokens, req));
    const product = await products.visible(id, viewer);
    res.json(productView(product, viewer === 'operator' || (typeof viewer === 'object' && viewer.id === product.provider_org_id)));
  });

  router.post('/v1/products/:id/submit', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(productView(await products.submit(callingOrganization(req), id), true));
  });

  for (const action of ['approve', 'reject', 'suspend', 'reinstate', 'delist'] as const satisfies readonly ReviewAction[]) {
    router.post(`/v1/products/:id/${action}`, requireRole(tokens, 'operator'), async (req, res) => {
      const { id } = parseInput(IdParam, req.params);
      const reason = action === 'reject' ? parseInput(Reject, req.body ?? {}).reason : undefined;
      res.json(productView(await products.review(id, action, reason), true));
    });
  }
  return router;
}
