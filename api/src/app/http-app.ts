import express, { type Express, type RequestHandler, type Router } from 'express';
import type { SigningKeys } from '../auth/signing-keys.js';
import type { TokenService } from '../auth/tokens.js';
import type { Sql } from '../infra/database.js';
import { documentationRoutes, edgeHeaders } from '../http/edge.js';
import { idempotency } from '../http/idempotency.js';
import { inputGuard } from '../http/input-guard.js';
import { portalRoutes } from '../http/portal.js';
import { notFoundHandler, problemHandler } from '../http/problem.js';
import { createRateLimiters, type RateLimits } from '../http/rate-limits.js';
// Capabilities, in the order their routes (and OpenAPI paths) were always registered.
// (Type-only imports evaluate nothing; the two sign-in route files are imported apart to keep that order.)
import type { OrganizationDirectory, PgBrowserSessions } from '../sign-in/index.js';
import { devTokenRoute, jwksRoute } from '../sign-in/dev-token-routes.js';
import { healthRoutes, type Readiness } from '../health/health-routes.js';
import { meRoutes } from '../sign-in/me-routes.js';
import { claimedClient, clientCredentialsRoute } from '../sign-in/client-credentials-routes.js';
import { organizationRoutes, type OrganizationService } from '../organizations/index.js';
import { vaultRoutes } from '../vault/vault-routes.js';
import type { VaultService } from '../vault/index.js';
import { consentRoutes } from '../consent/consent-routes.js';
import type { ConsentService } from '../consent/index.js';
import { webhookRoutes, type WebhookService } from '../webhooks/index.js';
import { exchangeRoutes, type Exchange } from '../exchange/index.js';
import { auditRoutes } from '../audit/audit-routes.js';
import type { AuditService, LedgerProjector, LogService } from '../audit/index.js';
import { logRoutes } from '../audit/log-routes.js';
import { rectificationRoutes, type RectificationService } from '../rectification/index.js';
import { keyRotationRoutes } from '../vault/key-rotation-routes.js';
import type { KeyRotationRunner } from '../vault/index.js';
import { exportRoutes, rightsRoutes, type ExportService, type RightsService } from '../rights/index.js';
import { retentionRoutes, type RetentionService } from '../retention/index.js';
import { passkeyRoutes } from '../passkeys/passkey-routes.js';
import type { EvidencePackageDeps, PasskeyService } from '../passkeys/index.js';
import { breachRoutes, type BreachService } from '../breaches/index.js';
import { noticeRoutes, type NoticeService } from '../notices/index.js';

/** The portal's sign-in: its routes (given the sign-in rate limit), its sessions, and in dev mode the development identity provider. */
export interface BrowserSignIn {
  sessions: PgBrowserSessions;
  developmentProvider?: Router;
  routes(signInLimit: RequestHandler, tokens: TokenService): Router;
}

export interface HttpAppDeps {
  browserSignIn?: BrowserSignIn;
  publicUrl: string;
  sql: Sql;
  organizations: { service: OrganizationService; store: OrganizationDirectory };
  vault: VaultService;
  consents: ConsentService;
  webhooks: WebhookService;
  exchange: Exchange;
  rights: RightsService;
  rectification: RectificationService;
  kekRotation: KeyRotationRunner;
  exports: ExportService;
  retention: RetentionService;
  passkeys: { service: PasskeyService; evidence: EvidencePackageDeps };
  breaches: BreachService;
  notices: { service: NoticeService; subjectOf: (nationalId: string) => Promise<string | undefined> };
  audit: { service: AuditService; log: LogService; projector: LedgerProjector };
  devMode: boolean;
  keys: SigningKeys;
  tokens: TokenService;
  readiness: Readiness;
  rateLimits: RateLimits;
  /** Seals the answers kept for Idempotency-Key retries; and how long an unfinished request holds its key. */
  idempotency: { kek: Uint8Array; leaseMs?: number };
  /** The built portal (`web/dist`); defaults to the repository's. */
  portalDir?: string;
  logError(err: unknown, requestId: string): void;
}

/**
 * The HTTP application: the edge (headers, limits, body parsing, input guard, idempotency), then
 * every capability's routes, the documentation and the portal, then problem+json for every error.
 * Routes live with their capability; this is the one place that mounts them.
 */
export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(edgeHeaders(deps.publicUrl));
  const limiters = createRateLimiters(deps.rateLimits, claimedClient);
  app.use(limiters.authFailures);
  app.use(express.json({ limit: '256kb' }));
  app.use(inputGuard);
  app.use(idempotency(deps.sql, deps.tokens, deps.idempotency));

  app.use(healthRoutes(deps.readiness));
  app.use(jwksRoute(deps.keys));
  if (deps.devMode) app.use('/dev/token', limiters.signIn);
  if (deps.devMode) app.use(devTokenRoute(deps.tokens, deps.organizations.store));
  if (deps.browserSignIn?.developmentProvider) app.use('/dev/idp', limiters.signIn, deps.browserSignIn.developmentProvider);
  if (deps.browserSignIn) app.use(deps.browserSignIn.routes(limiters.signIn, deps.tokens));
  app.use(meRoutes(deps.tokens));
  app.use(clientCredentialsRoute(deps.tokens, deps.organizations.store, `${deps.publicUrl}/oauth/token`, limiters));
  app.use(organizationRoutes(deps.tokens, deps.organizations.service));
  app.use(vaultRoutes(deps.tokens, deps.vault));
  app.use(consentRoutes(deps.tokens, deps.consents));
  app.use(webhookRoutes(deps.tokens, deps.webhooks));
  app.use(exchangeRoutes(deps.tokens, deps.exchange));
  app.use(logRoutes(deps.audit.log));
  app.use(auditRoutes(deps.tokens, deps.audit.service, deps.audit.log, deps.audit.projector));
  app.use(rightsRoutes(deps.tokens, deps.rights));
  app.use(rectificationRoutes(deps.tokens, deps.rectification));
  app.use(keyRotationRoutes(deps.tokens, deps.kekRotation));
  app.use(exportRoutes(deps.tokens, deps.exports));
  app.use(retentionRoutes(deps.tokens, deps.retention));
  app.use(passkeyRoutes(deps.tokens, deps.passkeys.service, deps.passkeys.evidence, limiters));
  app.use(breachRoutes(deps.tokens, deps.breaches));
  app.use(noticeRoutes(deps.tokens, deps.notices.service, deps.notices.subjectOf));

  app.use(documentationRoutes(deps.publicUrl));
  app.use(portalRoutes(deps.portalDir));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logError));
  return app;
}
