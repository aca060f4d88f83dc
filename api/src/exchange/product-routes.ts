import { Router } from 'express';
import { callingOrganization, optionalPrincipal, requireRole, type Principal, type TokenService } from '../auth/index.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { Organization } from '../organizations/index.js';
import { productView } from './exchange-views.js';
import type { ProductService, ReviewAction } from './product-service.js';
import { CatalogueQuery, PRODUCT_STATUSES, ProductBody, ProductIdParam as IdParam, Reject } from './product-schemas.js';

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
    if (mine && (viewer === undefined || viewer === 'operator')) throw new DomainError('forbidden', "`mine` needs a provider organisation's token");
    if (query.status && query.status !== 'LISTED' && viewer !== 'operator' && !mine)
      throw new DomainError('forbidden', 'only the operator browses products by status; a provider uses mine=true');
    const page = await products.catalogue({
      ...(query.q ? { q: query.q } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      statuses: query.status ? [query.status] : mine ? PRODUCT_STATUSES : ['LISTED'],
      ...(mine && typeof viewer === 'object' ? { providerOrgId: viewer.id } : {}),
      limit: query.limit,
      offset: query.offset,
    });
    const internal = viewer === 'operator' || mine;
    res
      .set('cache-control', viewer ? 'no-store' : 'public, max-age=30')
      .json({ items: page.items.map((p) => productView(p, internal)), total: page.total, limit: query.limit, offset: query.offset });
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
