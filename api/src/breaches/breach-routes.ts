import { Router } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { z } from '../http/openapi.js';
import { authorityFormHtml } from './authority-form.js';
import type { BreachChanges } from './breach.js';
import type { BreachDetail, BreachService, BreachWithClock } from './breach-service.js';
import { BreachIdParam, CloseBreach, FormQuery, RecordBreach, UpdateBreach, type BreachDetailView, type BreachView } from './breach-schemas.js';

function view({ breach: b, clock }: BreachWithClock): z.infer<typeof BreachView> {
  return {
    id: b.id,
    state: b.state,
    summary: b.summary,
    detectedAt: b.detectedAt.toISOString(),
    recordedAt: b.recordedAt.toISOString(),
    notifyDueAt: b.notifyDueAt.toISOString(),
    dataCategories: b.dataCategories,
    consumerOrgIds: b.consumerOrgIds,
    fields: b.fields,
    window: { from: b.window.from.toISOString(), to: b.window.to.toISOString() },
    consequences: b.consequences,
    measures: b.measures,
    contact: b.contact,
    lateReason: b.lateReason,
    authorityNotifiedAt: b.authorityNotifiedAt?.toISOString() ?? null,
    closedAt: b.closedAt?.toISOString() ?? null,
    affectedSubjects: b.affectedSubjects,
    affectedReads: b.affectedReads,
    version: b.version,
    clock: { dueAt: clock.dueAt.toISOString(), status: clock.status, minutesLeft: clock.minutesLeft },
  };
}

function detailView(d: BreachDetail): z.infer<typeof BreachDetailView> {
  return {
    ...view(d),
    consumers: d.consumers,
    versions: d.versions.map((v) => ({
      version: v.version,
      action: v.action,
      at: v.at.toISOString(),
      recordHash: v.recordHash,
      ledgerTransactionId: v.ledgerTransactionId,
    })),
  };
}

const window = (w: { from: string; to: string }) => ({ from: new Date(w.from), to: new Date(w.to) });

/** Drops the keys a body left out, so an absent field never overwrites a kept one. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/**
 * The breach register over HTTP: the operator records, updates and closes; the operator and the
 * auditor read a breach and its authority form; the auditor reads the register; a citizen reads
 * the notices of breaches that involved their data.
 */
export function breachRoutes(tokens: TokenService, breaches: BreachService): Router {
  const router = Router();
  const operator = requireRole(tokens, 'operator');
  const reader = requireRole(tokens, 'operator', 'auditor');

  router.post('/v1/breaches', operator, async (req, res) => {
    const body = parseInput(RecordBreach, req.body ?? {});
    const recorded = await breaches.record({ ...body, detectedAt: new Date(body.detectedAt), window: window(body.window) });
    res.status(201).location(`/v1/breaches/${recorded.breach.id}`).json(view(recorded));
  });
  router.get('/v1/breaches', operator, async (_req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await breaches.list()).map(view) });
  });
  router.get('/v1/breaches/:id', reader, async (req, res) => {
    const { id } = parseInput(BreachIdParam, req.params);
    res.set('cache-control', 'no-store').json(detailView(await breaches.get(id)));
  });
  router.post('/v1/breaches/:id/update', operator, async (req, res) => {
    const { id } = parseInput(BreachIdParam, req.params);
    const { window: w, authorityNotifiedAt, ...rest } = parseInput(UpdateBreach, req.body ?? {});
    const changes: BreachChanges = {
      ...defined(rest),
      ...(w ? { window: window(w) } : {}),
      ...(authorityNotifiedAt ? { authorityNotifiedAt: new Date(authorityNotifiedAt) } : {}),
    };
    res.json(view(await breaches.update(id, changes)));
  });
  router.post('/v1/breaches/:id/close', operator, async (req, res) => {
    const { id } = parseInput(BreachIdParam, req.params);
    const { authorityNotifiedAt, ...rest } = parseInput(CloseBreach, req.body ?? {});
    res.json(view(await breaches.close(id, { ...defined(rest), ...(authorityNotifiedAt ? { authorityNotifiedAt: new Date(authorityNotifiedAt) } : {}) })));
  });
  router.get('/v1/breaches/:id/authority-form', reader, async (req, res) => {
    const { id } = parseInput(BreachIdParam, req.params);
    const { format } = parseInput(FormQuery, req.query);
    const form = await breaches.authorityForm(id);
    res.set('cache-control', 'no-store');
    if (format === 'html') {
      res.type('text/html; charset=utf-8').set('content-disposition', `inline; filename="breach-${id}.html"`).send(authorityFormHtml(form));
    } else {
      res.set('content-disposition', `attachment; filename="breach-${id}.json"`).json(form);
    }
  });

  router.get('/v1/audit/breaches', requireRole(tokens, 'auditor'), async (_req, res) => {
    const report = await breaches.auditReport();
    res.set('cache-control', 'no-store').json({ generatedAt: report.generatedAt.toISOString(), items: report.items.map(detailView) });
  });

  router.get('/v1/me/breach-notices', requireRole(tokens, 'citizen'), async (req, res) => {
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    const { notices, names } = await breaches.noticesFor(nationalId);
    res.set('cache-control', 'no-store').json({
      items: notices.map((n) => ({
        breachId: n.breach.id,
        state: n.breach.state,
        summary: n.breach.summary,
        detectedAt: n.breach.detectedAt.toISOString(),
        notifiedAt: n.notifiedAt.toISOString(),
        fields: n.fields,
        consumers: n.consumerOrgIds.map((id) => ({ id, name: names.get(id) ?? '' })),
        reads: n.reads,
        firstReadAt: n.firstReadAt.toISOString(),
        lastReadAt: n.lastReadAt.toISOString(),
        measures: n.breach.measures,
        contact: n.breach.contact,
        closedAt: n.breach.closedAt?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
