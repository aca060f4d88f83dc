import { Router, type Request } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { Erasure } from './erasure.js';
import type { LegalHold, Restriction } from './pg-subject-controls.js';
import type { RequestEffects } from './request-effects.js';
import type { SubjectControls } from './subject-controls.js';
import { HoldsQuery, IdParam, LiftWithReason, PlaceLegalHold } from './controls-schemas.js';

/** The rights capability's controls: legal holds, restrictions, erasures and their certificates. */
export interface RightsControls {
  controls: SubjectControls;
  effects: RequestEffects;
  erasure: Erasure;
}

const holdView = (h: LegalHold) => ({
  id: h.id,
  subjectId: h.subjectId,
  reason: h.reason,
  placedAt: h.placedAt.toISOString(),
  liftedAt: h.liftedAt?.toISOString() ?? null,
  liftReason: h.liftReason,
  active: h.liftedAt === null,
});
const restrictionView = (r: Restriction) => ({
  requestId: r.requestId,
  subjectId: r.subjectId,
  kind: r.kind,
  placedAt: r.placedAt.toISOString(),
  liftedAt: r.liftedAt?.toISOString() ?? null,
  liftReason: r.liftReason,
  active: r.liftedAt === null,
});

export function controlsRoutes(tokens: TokenService, c: RightsControls): Router {
  const router = Router();
  const operator = requireRole(tokens, 'operator');
  const overseer = requireRole(tokens, 'operator', 'auditor');
  const bodyOf = (req: Request): unknown => req.body ?? {};

  router.get('/v1/me/rights-requests/:id/certificate', requireRole(tokens, 'citizen'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    res.set('cache-control', 'no-store').json(await c.effects.certificate(id, nationalId));
  });

  router.post('/v1/legal-holds', operator, async (req, res) => {
    const { subjectId, reason } = parseInput(PlaceLegalHold, bodyOf(req));
    const hold = await c.controls.placeHold(subjectId, reason);
    res.status(201).location(`/v1/legal-holds/${hold.id}`).json(holdView(hold));
  });
  router.get('/v1/legal-holds', overseer, async (req, res) => {
    const { subjectId } = parseInput(HoldsQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: (await c.controls.holdsOf(subjectId)).map(holdView) });
  });
  router.post('/v1/legal-holds/:id/lift', operator, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { reason } = parseInput(LiftWithReason, bodyOf(req));
    res.json(holdView(await c.controls.liftHold(id, reason)));
  });

  router.get('/v1/rights-requests/:id/restriction', overseer, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const restriction = await c.controls.restriction(id);
    if (!restriction) throw new DomainError('not_found', `request ${id} placed no restriction`);
    res.set('cache-control', 'no-store').json(restrictionView(restriction));
  });
  router.post('/v1/rights-requests/:id/lift-restriction', operator, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { reason } = parseInput(LiftWithReason, bodyOf(req));
    res.json(restrictionView(await c.controls.lift(id, reason)));
  });
  router.get('/v1/rights-requests/:id/erasure', overseer, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const e = await c.erasure.erasureOf(id);
    if (!e) throw new DomainError('not_found', `request ${id} has no erasure`);
    res.set('cache-control', 'no-store').json({
      requestId: e.requestId,
      subjectId: e.subjectId,
      steps: e.steps,
      startedAt: e.startedAt.toISOString(),
      erasedAt: e.shreddedAt?.toISOString() ?? null,
      finishedAt: e.finishedAt?.toISOString() ?? null,
      certificateSha256: e.certificateHash,
    });
  });
  return router;
}
