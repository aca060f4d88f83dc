import { Router, type Request } from 'express';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import type { z } from 'zod';
import { idempotencyRef, isIdempotentRetry } from '../http/idempotency.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import { accessEventView } from '../audit/index.js';
import { noticesOf, supersedesOf } from './consent-decisions.js';
import type { ConsentService } from './consent-service.js';
import type { ConsentRow } from './consent-store.js';
import { presentRead } from './read/present-read.js';
import {
  AccessEventsQuery,
  Approve,
  ConsentRequest,
  type ConsentView,
  DataQuery,
  IdParam,
  ListQuery,
  StatusQuery,
  registerConsentPaths,
} from './consent-schemas.js';

registerConsentPaths();

function view(c: ConsentRow): z.infer<typeof ConsentView> {
  return {
    id: c.id,
    status: c.status,
    subjectId: c.subject_id,
    consumer: { id: c.consumer_org_id, name: c.consumer_name },
    purpose: c.purpose,
    requestedFields: c.requested_fields,
    grantedFields: c.granted_fields,
    mode: c.access_mode.mode,
    ...(c.access_mode.mode === 'PERIODIC' ? { frequency: { limit: c.access_mode.limit, per: c.access_mode.per } } : {}),
    validFrom: c.valid_from.toISOString(),
    validUntil: c.valid_until.toISOString(),
    retentionDays: c.retention_days,
    onwardTransfer: c.onward_transfer,
    crossBorder: c.cross_border,
    justification: c.justification,
    requestedAt: c.requested_at.toISOString(),
    decidedAt: c.decided_at?.toISOString() ?? null,
    notices: noticesOf(c),
    supersedes: supersedesOf(c),
  };
}

export function consentRoutes(tokens: TokenService, consents: ConsentService): Router {
  const router = Router();
  const organizationOf = async (req: Request) => callingOrganization(req);
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };

  router.post('/v1/consents', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(ConsentRequest, req.body);
    const consent = await consents.request(
      await organizationOf(req),
      {
        nationalId: body.subject.nationalId,
        purpose: body.purpose,
        fields: body.fields,
        accessMode: body.mode === 'ONCE' ? { mode: 'ONCE' } : { mode: 'PERIODIC', limit: body.frequency!.limit, per: body.frequency!.per },
        validUntil: body.validUntil,
        retentionDays: body.retentionDays,
        justification: body.justification,
        onwardTransfer: body.onwardTransfer,
        crossBorder: body.crossBorder,
      },
      { ...(idempotencyRef(req) ? { ref: idempotencyRef(req)! } : {}), retry: isIdempotentRetry(req) },
    );
    res.status(201).location(`/v1/consents/${consent.id}`).json(view(consent));
  });

  router.get('/v1/consents', requireRole(tokens, 'organization'), async (req, res) => {
    const query = parseInput(ListQuery, req.query);
    const page = await consents.listForConsumer((await organizationOf(req)).id, {
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    res.set('cache-control', 'no-store').json({ items: page.items.map(view), nextCursor: page.nextCursor });
  });

  router.get('/v1/consents/:id', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    res.json(view(await consents.forConsumer((await organizationOf(req)).id, id)));
  });

  router.get('/v1/me/consents', requireRole(tokens, 'citizen'), async (req, res) => {
    const { status } = parseInput(StatusQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: (await consents.listForCitizen(nationalIdOf(req), status)).map(view) });
  });

  for (const action of ['approve', 'reject', 'pause', 'resume', 'revoke'] as const) {
    router.post(`/v1/consents/:id/${action}`, requireRole(tokens, 'citizen'), async (req, res) => {
      const { id } = parseInput(IdParam, req.params);
      const fields = action === 'approve' ? parseInput(Approve, req.body ?? {}).fields : undefined;
      res.json(view(await consents.decide(nationalIdOf(req), id, action, fields, { retry: isIdempotentRetry(req) })));
    });
  }

  router.get('/v1/consents/:id/artefact', requireRole(tokens, 'citizen', 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const consent =
      principal(req).role === 'citizen' ? await consents.ownedByCitizen(nationalIdOf(req), id) : await consents.forConsumer((await organizationOf(req)).id, id);
    res.type('application/jose').send(await consents.artefact(consent));
  });

  router.get('/v1/consents/:id/data', requireRole(tokens, 'organization'), async (req, res) => {
    const { id } = parseInput(IdParam, req.params);
    const { fields } = parseInput(DataQuery, req.query);
    const wantsJwe = req.accepts(['application/json', 'application/jose']) === 'application/jose';
    const consumer = await organizationOf(req);
    const body = presentRead(await consents.read(consumer, id, fields));
    res.set('cache-control', 'no-store');
    if (wantsJwe) res.type('application/jose').send(await consents.encryptFor(consumer, body));
    else res.json(body);
  });

  router.get('/v1/me/access-events', requireRole(tokens, 'citizen'), async (req, res) => {
    const query = parseInput(AccessEventsQuery, req.query);
    const page = await consents.accessEventsFor(nationalIdOf(req), { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    res.set('cache-control', 'no-store').json({
      // With the exact bytes its leaf hashes, so the citizen can check the log holds it.
      items: page.items.map((e) => ({ ...accessEventView(e), logEntry: e.log_entry })),
      nextCursor: page.nextCursor,
    });
  });
  return router;
}
