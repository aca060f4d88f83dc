import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { z } from '../http/openapi.js';
import { confirmedLate } from './retention-deadline.js';
import type { ReadWithState, RetentionService } from './retention-service.js';
import { AccessEventParam, CitizenRetentionQuery, ConsumerReadsQuery, NoBody, OverdueQuery, type RetainedRead } from './retention-schemas.js';

function view(r: ReadWithState): z.infer<typeof RetainedRead> {
  return {
    accessEventId: r.accessEventId,
    consentId: r.consentId,
    consumer: r.consumer,
    purpose: r.purpose,
    fields: r.fields,
    readAt: r.readAt.toISOString(),
    retentionDays: r.retentionDays,
    deleteBy: r.deleteBy.toISOString(),
    deletionConfirmedAt: r.deletionConfirmedAt?.toISOString() ?? null,
    state: r.state,
    confirmedLate: confirmedLate(r),
  };
}

/**
 * Retention over HTTP: a consumer lists its reads and confirms deletions (its own reads only); the
 * citizen sees the reads of their data; the auditor sees the overdue deletions.
 */
export function retentionRoutes(tokens: TokenService, retention: RetentionService): Router {
  const router = Router();
  const organization = requireRole(tokens, 'organization');

  router.get('/v1/retention/reads', organization, async (req, res) => {
    const q = parseInput(ConsumerReadsQuery, req.query);
    const org = await callingOrganization(req);
    const found = await retention.consumerReads(org.id, { limit: q.limit, ...(q.state ? { state: q.state } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) });
    res.set('cache-control', 'no-store').json({ items: found.items.map(view), nextCursor: found.nextCursor });
  });
  router.post('/v1/retention/reads/:accessEventId/deletion-confirmation', organization, async (req, res) => {
    const { accessEventId } = parseInput(AccessEventParam, req.params);
    parseInput(NoBody, (req.body as unknown) ?? {});
    const org = await callingOrganization(req);
    res.json(view(await retention.confirmDeletion(org.id, accessEventId)));
  });
  router.get('/v1/me/retention', requireRole(tokens, 'citizen'), async (req, res) => {
    const q = parseInput(CitizenRetentionQuery, req.query);
    const found = await retention.citizenView(nationalIdOf(req), { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) });
    res.set('cache-control', 'no-store').json({ items: found.items.map(view), nextCursor: found.nextCursor, overdue: found.overdue });
  });
  router.get('/v1/audit/retention', requireRole(tokens, 'auditor'), async (req, res) => {
    const q = parseInput(OverdueQuery, req.query);
    const report = await retention.overdueReport({
      limit: q.limit,
      ...(q.consumerOrgId ? { consumerOrgId: q.consumerOrgId } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    res.set('cache-control', 'no-store').json({ generatedAt: report.generatedAt.toISOString(), items: report.items.map(view), nextCursor: report.nextCursor });
  });
  return router;
}

function nationalIdOf(req: Request): string {
  const id = principal(req).nationalId;
  if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
  return id;
}
