import { Router } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { z } from '../http/openapi.js';
import type { Notice } from './notice.js';
import type { NoticeService, Publisher, ReconsentView as Reconsent } from './notice-service.js';
import { KindQuery, NoticeKey, NoticeVersionKey, PublishNotice, registerNoticePaths, type NoticeView, type ReconsentView } from './notice-schemas.js';

registerNoticePaths();

function view(n: Notice): z.infer<typeof NoticeView> {
  return {
    kind: n.kind,
    key: n.key,
    version: n.version,
    text: n.text,
    textHash: n.textHash,
    material: n.material,
    rule: n.rule,
    changeSummary: n.changeSummary,
    publishedAt: n.publishedAt.toISOString(),
    leafIndex: n.leafIndex,
  };
}

function reconsentView(r: Reconsent): z.infer<typeof ReconsentView> {
  return { consentId: r.consentId, successorId: r.successorId, rule: r.rule, createdAt: r.createdAt.toISOString(), changed: r.changed.map(view) };
}

/**
 * Notices over HTTP: anyone signed in reads every version (they are what citizens are shown); the
 * operator publishes purposes and field descriptions, an organisation its own notice; a citizen
 * reads the re-consents a material change asks of them.
 */
export function noticeRoutes(tokens: TokenService, notices: NoticeService, subjectOf: (nationalId: string) => Promise<string | undefined>): Router {
  const router = Router();
  const anyone = requireRole(tokens, 'citizen', 'organization', 'auditor', 'operator');

  router.get('/v1/notices', anyone, async (req, res) => {
    const { kind } = parseInput(KindQuery, req.query);
    res.json({ items: (await notices.currentOf(kind)).map(view) });
  });
  router.get('/v1/notices/:kind/:key', anyone, async (req, res) => {
    const { kind, key } = parseInput(NoticeKey, req.params);
    res.json({ items: (await notices.versions(kind, key)).map(view) });
  });
  router.get('/v1/notices/:kind/:key/:version', anyone, async (req, res) => {
    const { kind, key, version } = parseInput(NoticeVersionKey, req.params);
    res.json(view(await notices.version(kind, key, version)));
  });
  router.post('/v1/notices/:kind/:key', requireRole(tokens, 'operator', 'organization'), async (req, res) => {
    const { kind, key } = parseInput(NoticeKey, req.params);
    const body = parseInput(PublishNotice, req.body ?? {});
    const who = principal(req);
    const by: Publisher =
      who.role === 'operator'
        ? { role: 'operator', subject: who.subject }
        : { role: 'organization', organizationId: who.organizationId!, subject: who.subject };
    const { notice, affected } = await notices.publish(by, kind, key, body);
    res
      .status(201)
      .location(`/v1/notices/${kind}/${encodeURIComponent(key)}/${notice.version}`)
      .json({ notice: view(notice), affectedConsents: affected });
  });
  router.get('/v1/me/reconsents', requireRole(tokens, 'citizen'), async (req, res) => {
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    const subjectId = await subjectOf(nationalId);
    res.set('cache-control', 'no-store').json({ items: subjectId ? (await notices.reconsentsOf(subjectId)).map(reconsentView) : [] });
  });
  return router;
}
