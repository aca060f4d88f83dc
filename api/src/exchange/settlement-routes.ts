import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { VaultService } from '../vault/vault-service.js';
import type { PgStatistics } from './pg-statistics.js';
import { periodOf } from './pricing.js';
import type { SettlementService } from './settlement-service.js';

const Period = z.string().regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM, from 1970');
const InvoiceQuery = z.object({ period: Period, verify: z.enum(['true', 'false']).optional() });
const Close = z.object({ period: Period }).strict().openapi('ClosePeriod');
const StatsQuery = z.object({ from: Period.optional(), to: Period.optional() });
const Preferences = z.object({ statisticsOptOut: z.boolean() }).strict().openapi('Preferences');
const Dong = z.string().openapi({ description: 'whole đồng, as a decimal string' });
const Split = z.object({ provider: Dong, operator: Dong, stateBudget: Dong, citizens: Dong });
const Invoice = z
  .object({ licenceId: z.string(), productId: z.string(), period: z.string(), units: z.number(), usageDong: Dong, subscriptionDong: Dong, totalDong: Dong, split: Split, status: z.enum(['OPEN', 'ANCHORED']) })
  .passthrough()
  .openapi('Invoice');
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'get',
  path: '/v1/invoices',
  summary: 'Monthly statements per licence, split between provider, operator, state budget and (CONSENTED products) citizens; a buyer sees its licences\', a provider its products\', the operator all. `verify=true` checks each anchored total against the ledger',
  security,
  request: { query: InvoiceQuery },
  responses: { 200: { description: 'statements', ...json(z.object({ period: z.string(), roundingRule: z.string(), items: z.array(Invoice) })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({ method: 'post', path: '/v1/invoices/close', summary: 'Close a finished month (the operator): anchor every statement\'s total on the ledger', security, request: { body: json(Close) }, responses: { 200: { description: 'the anchored statements', ...json(z.object({ items: z.array(Invoice) })) }, ...problemResponses(400, 401, 403) } });
registry.registerPath({
  method: 'get',
  path: '/v1/exchange/stats',
  summary: 'Public trade statistics: listed products, active licences, volume and value traded per month, the amount due to the state budget',
  request: { query: StatsQuery },
  responses: { 200: { description: 'statistics', ...json(z.object({ listedProducts: z.unknown(), activeLicences: z.number(), periods: z.array(z.unknown()) })) }, ...problemResponses(400) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/earnings',
  summary: 'What the signed-in citizen earned in a month from CONSENTED products that read their records',
  security,
  request: { query: InvoiceQuery.pick({ period: true }) },
  responses: { 200: { description: 'earnings', ...json(z.object({ period: z.string(), totalDong: Dong, items: z.array(z.object({ licenceId: z.string(), productId: z.string(), records: z.number(), amountDong: Dong })) })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({ method: 'get', path: '/v1/me/preferences', summary: 'The signed-in citizen\'s choices, such as leaving statistics', security, responses: { 200: { description: 'preferences', ...json(Preferences) }, ...problemResponses(401, 403) } });
registry.registerPath({ method: 'put', path: '/v1/me/preferences', summary: 'Opt out of (or back into) statistical use: effective for every query after the answer', security, request: { body: json(Preferences) }, responses: { 200: { description: 'preferences', ...json(Preferences) }, ...problemResponses(400, 401, 403) } });

export const ROUNDING_RULE = 'largest remainder: each party gets the floor of total × share; the đồng left over go one each to the largest fractional remainders, ties to the state budget, then the operator, the citizens, the provider';

export function settlementRoutes(tokens: TokenService, settlement: SettlementService, statistics: PgStatistics, vault: VaultService): Router {
  const router = Router();
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };

  router.get('/v1/invoices', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { period, verify } = parseInput(InvoiceQuery, req.query);
    const caller = principal(req).role === 'operator' ? 'operator' : callingOrganization(req);
    res.set('cache-control', 'no-store').json({ period, revenueShares: settlement.revenueShares, roundingRule: ROUNDING_RULE, items: await settlement.invoices(caller, period, verify === 'true') });
  });

  router.post('/v1/invoices/close', requireRole(tokens, 'operator'), async (req, res) => {
    const { period } = parseInput(Close, req.body);
    res.json({ period, items: await settlement.close(period) });
  });

  router.get('/v1/exchange/stats', async (req, res) => {
    const query = parseInput(StatsQuery, req.query);
    const to = query.to ?? periodOf(new Date());
    const from = query.from ?? to;
    if (from > to) throw new DomainError('invalid_request', '`from` must not be after `to`');
    if (Number(to.slice(0, 4)) * 12 + Number(to.slice(5)) - (Number(from.slice(0, 4)) * 12 + Number(from.slice(5))) >= 36) throw new DomainError('invalid_request', 'at most 36 months at a time');
    res.set('cache-control', 'public, max-age=60').json({ from, to, ...(await settlement.stats(from, to)) });
  });

  router.get('/v1/me/earnings', requireRole(tokens, 'citizen'), async (req, res) => {
    const { period } = parseInput(InvoiceQuery.pick({ period: true }), req.query);
    const subjectId = await vault.subjectId(nationalIdOf(req), false);
    res.set('cache-control', 'no-store').json({ period, ...(subjectId ? await settlement.earnings(subjectId, period) : { items: [], totalDong: '0' }) });
  });

  router.get('/v1/me/preferences', requireRole(tokens, 'citizen'), async (req, res) => {
    const subjectId = await vault.subjectId(nationalIdOf(req), false);
    res.set('cache-control', 'no-store').json({ statisticsOptOut: subjectId ? await statistics.optedOut(subjectId) : false });
  });

  router.put('/v1/me/preferences', requireRole(tokens, 'citizen'), async (req, res) => {
    const body = parseInput(Preferences, req.body);
    const subjectId = (await vault.subjectId(nationalIdOf(req), true))!;
    await statistics.setOptOut(subjectId, body.statisticsOptOut);
    res.set('cache-control', 'no-store').json(body);
  });
  return router;
}
