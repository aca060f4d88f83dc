import { join } from 'node:path';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Config, SignInConfig } from '../config.js';
import { systemClock } from '../infra/clock.js';
import type { Sql } from '../infra/database.js';
import { loadOrCreateKeyFile } from '../infra/key-file.js';
import type { ClientAssertionRegistry, OrganizationStore } from '../organizations/index.js';
import {
  browserSignInRoutes,
  developmentIdentityProvider,
  newClientSecret,
  organizationProviderRoutes,
  PgBrowserSessions,
  PgOrganizationProviders,
  PgSignInEvents,
} from '../sign-in/index.js';
import type { BrowserSignIn } from './http-app.js';

/**
 * The portal's sign-in (issue 17): browser sessions in Postgres, and the OpenID Connect client,
 * against the configured provider or, in dev mode, the development provider this API runs itself.
 */
export async function openBrowserSignIn(
  config: Config,
  signIn: SignInConfig,
  sql: Sql,
  kek: Uint8Array,
  organizations: OrganizationStore & ClientAssertionRegistry,
  logger: Logger,
): Promise<BrowserSignIn> {
  const sessions = new PgBrowserSessions(sql, kek, { idleMinutes: signIn.sessionIdleMinutes, maxHours: signIn.sessionMaxHours }, systemClock);
  const development = signIn.kind === 'development-provider';
  const clientSecret = signIn.clientSecret ?? (await loadOrCreateKeyFile(join(config.dataDir, 'keys', 'dev-idp-client-secret'), newClientSecret)).trim();
  const provider = development
    ? await developmentIdentityProvider({
        issuer: signIn.issuer,
        clientId: signIn.clientId,
        clientSecret,
        redirectUri: `${config.publicUrl}/auth/callback`,
        postLogoutRedirectUri: `${config.publicUrl}/`,
        keysDir: join(config.dataDir, 'keys'),
        organizations,
      })
    : undefined;
  const organizationProviders = new PgOrganizationProviders(sql, kek, systemClock);
  return {
    sessions,
    ...(provider ? { developmentProvider: provider } : {}),
    routes: (signInLimit, tokens) =>
      Router().use(
        organizationProviderRoutes({ tokens, providers: organizationProviders, organizations, publicUrl: config.publicUrl, allowLoopbackHttp: config.devMode }),
        browserSignInRoutes({
          publicUrl: config.publicUrl,
          issuer: signIn.issuer,
          clientId: signIn.clientId,
          clientSecret,
          nationalIdClaim: signIn.nationalIdClaim,
          scopes: development ? 'openid national_id roles' : signIn.scopes,
          requiredAcr: signIn.requiredAcr,
          promptLogin: development,
          kek,
          sessions,
          organizations,
          organizationProviders,
          signInLimit,
          events: new PgSignInEvents(sql, systemClock),
          tokens,
          log: (event, fields) => logger.info({ audit: event, ...fields }, event),
        }),
      ),
  };
}
