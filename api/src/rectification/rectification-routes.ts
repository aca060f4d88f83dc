import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { z } from '../http/openapi.js';
import { REFUSAL_REASONS } from '../rights/index.js';
import type { RectificationTask } from './ports.js';
import type { CustodianTask, RectificationService } from './rectification-service.js';
import {
  FileRectification,
  IdParam,
  NoBody,
  RejectRectificationTask,
  TaskListQuery,
  type CitizenTaskView,
  type CustodianTaskView,
} from './rectification-schemas.js';

function taskView(t: RectificationTask): z.infer<typeof CitizenTaskView> {
  return {
    id: t.id,
    requestId: t.requestId,
    custodianOrgId: t.custodianOrgId,
    recordId: t.recordId,
    category: t.category,
    fields: t.fields.map((name) => `${t.category}.${name}`),
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    resolvedAt: t.resolvedAt?.toISOString() ?? null,
    rejection: t.rejectReason ? { reason: t.rejectReason, explanation: REFUSAL_REASONS[t.rejectReason] } : null,
    baseVersion: t.baseVersion,
    newVersion: t.newVersion,
  };
}

function custodianView(t: CustodianTask): z.infer<typeof CustodianTaskView> {
  const { custodianOrgId: _own, ...view } = taskView(t);
  return { ...view, proposed: t.proposed, dueAt: t.dueAt.toISOString() };
}

/** An empty body may come as nothing at all. */
const bodyOf = (req: Request): unknown => req.body ?? {};

/**
 * Rectification over HTTP: the citizen asks and follows; each custodian works its own tasks only
 * (another organisation's task is not found).
 */
export function rectificationRoutes(tokens: TokenService, rectification: RectificationService): Router {
  const router = Router();
  const citizen = requireRole(tokens, 'citizen');
  const organization = requireRole(tokens, 'organization');
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };
  const custodianOf = (req: Request): string => {
    const org = callingOrganization(req);
    if (!org.roles.includes('custodian')) throw new DomainError('forbidden', 'only a custodian organisation works rectification tasks');
    return org.id;
  };

  router.post('/v1/me/rectifications', citizen, async (req, res) => {
    const { corrections } = parseInput(FileRectification, bodyOf(req));
    const { request, tasks } = await rectification.request(nationalIdOf(req), corrections);
    const r = request.request;
    res
      .status(201)
      .location(`/v1/me/rights-requests/${r.id}`)
      .json({
        request: {
          id: r.id,
          kind: 'RECTIFY',
          state: r.state,
          fields: r.fields,
          receivedAt: r.receivedAt.toISOString(),
          replyDueAt: r.replyDueAt.toISOString(),
          dueAt: r.dueAt.toISOString(),
        },
        tasks: tasks.map(taskView),
      });
  });
  router.get('/v1/me/rectifications/:id', citizen, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.set('cache-control', 'no-store').json({ items: (await rectification.tasksOfMine(nationalIdOf(req), id)).map(taskView) });
  });

  router.get('/v1/rectification-tasks', organization, async (req, res) => {
    const query = parseInput(TaskListQuery, req.query);
    const { items, nextCursor } = await rectification.tasksFor(custodianOf(req), {
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.set('cache-control', 'no-store').json({ items: items.map(custodianView), nextCursor });
  });
  router.get('/v1/rectification-tasks/:id', organization, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.set('cache-control', 'no-store').json(custodianView(await rectification.task(custodianOf(req), id)));
  });
  router.get('/v1/rectification-tasks/:id/versions', organization, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const versions = await rectification.versions(custodianOf(req), id);
    res.set('cache-control', 'no-store').json({
      items: versions.map((v) => ({
        version: v.version,
        fields: v.fields,
        commitment: v.commitment,
        createdAt: v.createdAt.toISOString(),
        current: v.current,
        supersededAt: v.supersededAt?.toISOString() ?? null,
        supersededBy: v.supersededBy,
      })),
    });
  });
  router.post('/v1/rectification-tasks/:id/accept', organization, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    parseInput(NoBody, bodyOf(req));
    res.json(custodianView(await rectification.accept(custodianOf(req), id)));
  });
  router.post('/v1/rectification-tasks/:id/reject', organization, async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { reason } = parseInput(RejectRectificationTask, bodyOf(req));
    res.json(custodianView(await rectification.reject(custodianOf(req), id, reason)));
  });
  return router;
}
