import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { Organization } from '../organizations/index.js';
import { licenceView } from './exchange-views.js';
import { IdParam, LicenceRequest, ListQuery, Query, ReadParams, ReadQuery } from './licence-schemas.js';
import type { MeteringService } from './metering-service.js';
import type { MeteringStore } from './ports.js';
import type { ProductService } from './product-service.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
function requestKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !KEY.test(key)) throw new DomainError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  return key;
}

export function licenceRoutes(tokens: TokenService, products: ProductService, metering: MeteringService, meteringStore: MeteringStore): Router {
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
      recent: recent.map((e) => ({
        id: e.id,
        period: e.period,
        units: e.units,
        amountDong: String(e.amount_dong),
        epsilon: Number(e.epsilon_micro) / 1e6,
        leafIndex: e.leaf_index === null ? null : Number(e.leaf_index),
        at: e.at.toISOString(),
      })),
    });
  });

  router.post('/v1/products/:id/query', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const body = parseInput(Query, req.body);
    const result = await metering.query(
      callingOrganization(req),
      id,
      { licenceId: body.licenceId, groupBy: body.groupBy, filters: body.filters },
      requestKey(req),
    );
    res.set('cache-control', 'no-store').json(result);
  });

  router.get('/v1/products/:id/records/:consentId', requireRole(tokens, 'organization'), async (req, res) => {
    const { id, consentId } = parseInput(ReadParams, req.params);
    const { licenceId } = parseInput(ReadQuery, req.query);
    res.set('cache-control', 'no-store').json(await metering.read(callingOrganization(req), id, licenceId, consentId, requestKey(req)));
  });
  return router;
}
