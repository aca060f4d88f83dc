import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { devTokenRoute, jwksRoute } from '../auth/auth-routes.js';
import type { SigningKeys } from '../auth/signing-keys.js';
import type { TokenService } from '../auth/tokens.js';
import { healthRoutes, type Readiness } from '../health/health-routes.js';
import { meRoutes } from '../me-routes.js';
import { clientCredentialsRoute } from '../auth/client-credentials.js';
import { organizationRoutes, type OrganizationService } from '../organizations/index.js';
import type { PgOrganizations } from '../organizations/pg-organizations.js';
import { vaultRoutes } from '../vault/vault-routes.js';
import { consentRoutes } from '../consent/consent-routes.js';
import { webhookRoutes, type WebhookService } from '../webhooks/index.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { VaultService } from '../vault/vault-service.js';
import { exchangeRoutes, type Exchange } from '../exchange/index.js';
import { DOCS_CSP, DOCS_PAGE } from './docs-page.js';
import { auditRoutes } from '../audit/audit-routes.js';
import type { AuditService } from '../audit/audit-service.js';
import { logRoutes } from '../audit/log-routes.js';
import type { LogService } from '../audit/log-service.js';
import type { LedgerProjector } from '../audit/ledger-projector.js';
import { openApiDocument } from './openapi.js';
import { idempotency } from './idempotency.js';
import { inputGuard } from './input-guard.js';
import { createRateLimiters, type RateLimits } from './rate-limits.js';
import { claimedClient } from '../auth/client-credentials.js';
import { portalRoutes } from './portal.js';
import type { Sql } from '../infra/database.js';
import { notFoundHandler, problemHandler } from './problem.js';

export interface AppDeps {
  publicUrl: string;
  sql: Sql;
  organizations: { service: OrganizationService; store: PgOrganizations };
  vault: VaultService;
  consents: ConsentService;
  webhooks: WebhookService;
  exchange: Exchange;
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

/** The HTTP edge: parse, authorise, call the use case, map the result. Routes live with their capability. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const httpsPublic = deps.publicUrl.startsWith('https:');
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID());
    res.setHeader('x-content-type-options', 'nosniff');
    // Answers about people, consents and tokens are never kept by a browser or a shared cache,
    // unless a route says otherwise (the JWKS, the public catalogue).
    if (/^\/(v1|oauth|dev)\//.test(req.path)) res.setHeader('cache-control', 'no-store');
    // Over TLS (here, or at the proxy the public URL names), browsers must not fall back to http.
    if (req.secure || httpsPublic) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  });
  const limiters = createRateLimiters(deps.rateLimits, claimedClient);
  app.use(limiters.authFailures);
  app.use(express.json({ limit: '256kb' }));
  app.use(inputGuard);
  app.use(idempotency(deps.sql, deps.tokens, deps.idempotency));
  app.use(healthRoutes(deps.readiness));
  app.use(jwksRoute(deps.keys));
  if (deps.devMode) app.use('/dev/token', limiters.signIn);
  if (deps.devMode) app.use(devTokenRoute(deps.tokens, deps.organizations.store));
  app.use(meRoutes(deps.tokens));
  app.use(clientCredentialsRoute(deps.tokens, deps.organizations.store, `${deps.publicUrl}/oauth/token`, limiters));
  app.use(organizationRoutes(deps.tokens, deps.organizations.service));
  app.use(vaultRoutes(deps.tokens, deps.vault));
  app.use(consentRoutes(deps.tokens, deps.consents));
  app.use(webhookRoutes(deps.tokens, deps.webhooks));
  app.use(exchangeRoutes(deps.tokens, deps.exchange));
  app.use(logRoutes(deps.audit.log));
  app.use(auditRoutes(deps.tokens, deps.audit.service, deps.audit.log, deps.audit.projector));
  const document = openApiDocument(deps.publicUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.set('content-security-policy', DOCS_CSP).set('x-frame-options', 'DENY').type('html').send(DOCS_PAGE);
  });
  app.use(portalRoutes(deps.portalDir));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logError));
  return app;
}
