/** Signing in: the JWKS, organisations' client credentials (RFC 7523), and the development identity provider. */
export { jwksRoute, devTokenRoute } from './dev-token-routes.js';
export { clientCredentialsRoute, claimedClient } from './client-credentials-routes.js';
export type { OrganizationDirectory, SigningInOrganization } from './organization-directory.js';
export { browserSignInRoutes, newClientSecret, type BrowserSignInOptions } from './browser-sign-in-routes.js';
export { PgBrowserSessions } from './browser-session-store.js';
export { developmentIdentityProvider, DEVELOPMENT_ACR } from './development-provider-routes.js';
export { meRoutes } from './me-routes.js';
export { PgSignInEvents, type SignInEvent, type SignInEventKind } from './sign-in-events.js';
export { PgOrganizationProviders } from './organization-providers.js';
export { organizationProviderRoutes } from './organization-provider-routes.js';
