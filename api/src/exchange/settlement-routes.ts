import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { CitizenDirectory, StatisticsStore } from './ports.js';
import { periodOf } from './pricing.js';
import { Close, InvoiceQuery, Preferences, StatsQuery } from './settlement-schemas.js';
import type { SettlementService } from './settlement-service.js';

export const ROUNDING_RULE =
  'largest remainder: each party gets the floor of total × share; the đồng left over go one each to the largest fractional remainders, ties to the state budget, then the operator, the citizens, the provider';

export function settlementRoutes(tokens: TokenService, settlement: SettlementService, statistics: StatisticsStore, vault: CitizenDirectory): Router {
  const router = Router();
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };

  router.get('/v1/invoices', requireRole(tokens, 'organization', 'operator'), async (req, res) => {
    const { period, verify } = parseInput(InvoiceQuery, req.query);
    const caller = principal(req).role === 'operator' ? 'operator' : callingOrganization(req);
    res.set('cache-control', 'no-store').json({
      period,
      revenueShares: settlement.revenueShares,
      roundingRule: ROUNDING_RULE,
      items: await settlement.invoices(caller, period, verify === 'true'),
    });
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
    if (Number(to.slice(0, 4)) * 12 + Number(to.slice(5)) - (Number(from.slice(0, 4)) * 12 + Number(from.slice(5))) >= 36)
      throw new DomainError('invalid_request', 'at most 36 months at a time');
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
