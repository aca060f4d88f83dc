/** Authentication mechanics every capability's routes share: tokens, the calling principal, the API's signing keys. */
export { requireRole, principal, callingOrganization, optionalPrincipal } from './authenticate.js';
export { TokenService, citizenSubject, type Principal, type Role, type TokenServiceOptions } from './tokens.js';
export { loadOrCreateSigningKeys, type SigningKeys } from './signing-keys.js';
export type { Organization, OrganizationRole } from './calling-organization.js';
export { sessionCookieName, type BrowserSession, type BrowserSessions } from './browser-sessions.js';
