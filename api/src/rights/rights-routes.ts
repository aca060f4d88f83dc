import { Router, type Request } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import { controlsRoutes } from './controls-routes.js';
import { EXTENSION_REASONS, REFUSAL_REASONS, type RequestAction } from './request-lifecycle.js';
import type { RequestHistory, RequestWithClock, RightsService } from './rights-service.js';
import {
  AcknowledgeRightsRequest,
  ExtendRightsRequest,
  FileRightsRequest,
  NoBody,
  RefuseRightsRequest,
  RequestIdParam,
  type RightsRequestStep,
  type RightsRequestView,
} from './rights-schemas.js';
import type { z } from '../http/openapi.js';

function view({ request: r, clock }: RequestWithClock): z.infer<typeof RightsRequestView> {
  return {
    id: r.id,
    kind: r.kind,
    fields: r.fields,
    state: r.state,
    processorMustAct: r.processorMustAct,
    receivedAt: r.receivedAt.toISOString(),
    replyDueAt: r.replyDueAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    startedAt: r.startedAt?.toISOString() ?? null,
    closedAt: r.closedAt?.toISOString() ?? null,
    extension: r.extension
      ? {
          at: r.extension.at.toISOString(),
          days: r.extension.days,
          reason: r.extension.reason,
          explanation: EXTENSION_REASONS[r.extension.reason],
          previousDueAt: r.extension.previousDueAt.toISOString(),
        }
      : null,
    refusal: r.refusalReason ? { reason: r.refusalReason, explanation: REFUSAL_REASONS[r.refusalReason] } : null,
    clock: { phase: clock.phase, dueAt: clock.dueAt.toISOString(), status: clock.status, replyLate: clock.replyLate },
  };
}

const operatorView = (r: RequestWithClock) => ({ ...view(r), subjectId: r.request.subjectId });

function historyView(history: RequestHistory): z.infer<typeof RightsRequestStep>[] {
  return history.map((t) => ({
    seq: t.seq,
    action: t.action,
    from: t.from,
    to: t.to,
    at: t.at.toISOString(),
    dueAt: t.dueAt.toISOString(),
    reason: t.reason,
    actor: t.actor,
    ledgerTransactionId: t.recordedTxId,
  }));
}

/** An empty body may come as nothing at all. */
const bodyOf = (req: Request): unknown => req.body ?? {};

/**
 * Data-subject requests over HTTP: the citizen files and follows their own; the operator works the
 * queue; the auditor reads the report. A citizen sees only requests of their own subject.
 */
export function rightsRoutes(tokens: TokenService, rights: RightsService): Router {
  const router = Router();
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };
  const citizen = requireRole(tokens, 'citizen');
  const operator = requireRole(tokens, 'operator');

  router.post('/v1/me/rights-requests', citizen, async (req, res) => {
    const body = parseInput(FileRightsRequest, bodyOf(req));
    const filed = await rights.file(nationalIdOf(req), body.fields ? { kind: body.kind, fields: body.fields } : { kind: body.kind }, principal(req).subject);
    res.status(201).location(`/v1/me/rights-requests/${filed.request.id}`).json(view(filed));
  });
  router.get('/v1/me/rights-requests', citizen, async (req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await rights.mine(nationalIdOf(req))).map(view) });
  });
  router.get('/v1/me/rights-requests/:id', citizen, async (req, res) => {
    const { id } = parseInput(RequestIdParam, req.params);
    const one = await rights.mineOne(nationalIdOf(req), id);
    res.set('cache-control', 'no-store').json({ ...view(one), history: historyView(one.history) });
  });

  router.get('/v1/rights-requests', operator, async (_req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await rights.queue()).map(operatorView) });
  });
  router.get('/v1/rights-requests/:id', requireRole(tokens, 'operator', 'auditor'), async (req, res) => {
    const { id } = parseInput(RequestIdParam, req.params);
    const one = await rights.get(id);
    res.set('cache-control', 'no-store').json({ ...operatorView(one), history: historyView(one.history) });
  });
  const actions: Record<RequestAction['type'], (body: unknown) => RequestAction> = {
    acknowledge: (body) => {
      const { processorMustAct } = parseInput(AcknowledgeRightsRequest, body);
      return processorMustAct === undefined ? { type: 'acknowledge' } : { type: 'acknowledge', processorMustAct };
    },
    start: (body) => {
      parseInput(NoBody, body);
      return { type: 'start' };
    },
    extend: (body) => ({ type: 'extend', ...parseInput(ExtendRightsRequest, body) }),
    complete: (body) => {
      parseInput(NoBody, body);
      return { type: 'complete' };
    },
    refuse: (body) => ({ type: 'refuse', ...parseInput(RefuseRightsRequest, body) }),
  };
  for (const [name, actionOf] of Object.entries(actions)) {
    router.post(`/v1/rights-requests/:id/${name}`, operator, async (req, res) => {
      const { id } = parseInput(RequestIdParam, req.params);
      res.json(operatorView(await rights.act(id, actionOf(bodyOf(req)))));
    });
  }

  router.get('/v1/audit/rights-requests', requireRole(tokens, 'auditor'), async (_req, res) => {
    const report = await rights.report();
    res
      .set('cache-control', 'no-store')
      .json({ generatedAt: report.generatedAt.toISOString(), overdue: report.overdue.map(operatorView), late: report.late.map(operatorView) });
  });
  if (rights.controls) router.use(controlsRoutes(tokens, rights.controls));
  return router;
}
