import { Router, type Request, type RequestHandler } from 'express';
import { principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import type { PasskeyCredential, PasskeyStore } from './passkey-store.js';
import type { PasskeyService } from './passkey-service.js';
import { evidencePackage, type EvidencePackageDeps } from './evidence-package.js';
import {
  ConsentIdParam,
  CredentialIdParam,
  DecisionChallengeRequest,
  EvidenceQuery,
  PasskeyEventsQuery,
  RegistrationResponse,
  SignedDecisionRequest,
  registerPasskeyPaths,
} from './passkey-schemas.js';

registerPasskeyPaths();

const passkeyView = (c: PasskeyCredential) => ({
  id: c.id,
  publicKeyHash: c.publicKeyHash,
  createdAt: c.createdAt.toISOString(),
  lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
});

/** The rate limits of the routes that write a one-time challenge or a credential: per address (before authentication), per citizen (after). */
export interface PasskeyRateLimits {
  passkeyPerIp: RequestHandler;
  passkeyPerCitizen: RequestHandler;
}

/** The passkeys routes: a citizen's passkeys, device-signed decisions and their evidence; passkey events for auditors. */
export function passkeyRoutes(
  tokens: TokenService,
  passkeys: PasskeyService,
  evidence: EvidencePackageDeps & { store: PasskeyStore },
  limits?: PasskeyRateLimits,
): Router {
  const router = Router();
  const citizen = requireRole(tokens, 'citizen');
  const limited: RequestHandler[] = limits ? [limits.passkeyPerIp, citizen, limits.passkeyPerCitizen] : [citizen];
  const nationalIdOf = (req: Request): string => {
    const id = principal(req).nationalId;
    if (!id) throw new DomainError('forbidden', 'the token does not identify a citizen');
    return id;
  };

  router.get('/v1/me/passkeys', citizen, async (req, res) => {
    res.set('cache-control', 'no-store').json({ items: (await passkeys.list(nationalIdOf(req))).map(passkeyView) });
  });
  router.post('/v1/me/passkeys/registration-options', ...limited, async (req, res) => {
    res.set('cache-control', 'no-store').json(await passkeys.registrationOptions(nationalIdOf(req)));
  });
  router.post('/v1/me/passkeys', ...limited, async (req, res) => {
    const body = parseInput(RegistrationResponse, req.body);
    const stored = await passkeys.register(nationalIdOf(req), body as never);
    res.status(201).json(passkeyView(stored));
  });
  router.delete('/v1/me/passkeys/:credentialId', citizen, async (req, res) => {
    const { credentialId } = parseInput(CredentialIdParam, req.params);
    await passkeys.remove(nationalIdOf(req), credentialId);
    res.status(204).end();
  });

  router.post('/v1/consents/:id/decision-challenge', ...limited, async (req, res) => {
    const { id } = parseInput(ConsentIdParam, req.params);
    const body = parseInput(DecisionChallengeRequest, req.body ?? {});
    res.set('cache-control', 'no-store').json(await passkeys.decisionChallenge(nationalIdOf(req), id, body.action, body.fields));
  });
  router.post('/v1/consents/:id/signed-decision', citizen, async (req, res) => {
    const { id } = parseInput(ConsentIdParam, req.params);
    const body = parseInput(SignedDecisionRequest, req.body);
    const decided = await passkeys.signedDecision(nationalIdOf(req), id, body.response as never);
    res.json({
      consentId: decided.consentId,
      status: decided.status,
      grantedFields: decided.grantedFields,
      transactionId: decided.transactionId,
      statement: decided.statement,
    });
  });
  router.get('/v1/me/consent-decisions', citizen, async (req, res) => {
    const items = await passkeys.decisions(nationalIdOf(req));
    res.set('cache-control', 'no-store').json({
      items: items.map((d) => ({ consentId: d.consentId, transactionId: d.transactionId, action: d.action, method: d.method, at: d.at.toISOString() })),
    });
  });
  router.get('/v1/me/consents/:id/evidence', citizen, async (req, res) => {
    const { id } = parseInput(ConsentIdParam, req.params);
    const { transactionId } = parseInput(EvidenceQuery, req.query);
    const body = await evidencePackage(evidence, nationalIdOf(req), id, transactionId);
    res.set('cache-control', 'no-store').set('content-disposition', `attachment; filename="consent-evidence-${id}.json"`).type('application/json').send(body);
  });

  router.get('/v1/audit/passkey-events', requireRole(tokens, 'auditor', 'operator'), async (req, res) => {
    const query = parseInput(PasskeyEventsQuery, req.query);
    res.set('cache-control', 'no-store').json(await evidence.store.events(query.limit, query.cursor));
  });
  return router;
}
