import { randomBytes } from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import * as oidc from 'openid-client';
import { citizenSubject, requireRole, sessionCookieName, type Principal, type TokenService } from '../auth/index.js';
import { parseInput } from '../http/problem.js';
import type { SignInEventKind } from './sign-in-events.js';
import { cookieValue, csrfMatches, sessionCookie } from '../auth/browser-sessions.js';
import { DomainError } from '../errors/index.js';
import { open, seal } from '../infra/aead.js';
import type { PgBrowserSessions } from './browser-session-store.js';
import type { OrganizationDirectory } from './organization-directory.js';
import { staffRoleOf, type OrganizationProvider, type PgOrganizationProviders } from './organization-providers.js';
import { LoginQuery, SignInEventsQuery } from './browser-sign-in-schemas.js';
import type { PgSignInEvents } from './sign-in-events.js';

export interface BrowserSignInOptions {
  publicUrl: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The ID-token claim that carries a citizen's national id (the national provider's name for it). */
  nationalIdClaim: string;
  scopes: string;
  requiredAcr: string | undefined;
  /** Ask the provider to show its sign-in page every time (the development provider: to pick another person). */
  promptLogin: boolean;
  /** Seals the short-lived sign-in state cookie (PKCE verifier, state, nonce). */
  kek: Uint8Array;
  sessions: PgBrowserSessions;
  organizations: OrganizationDirectory;
  /** Organisations' own providers, through which their staff sign in (`/auth/login?organization=`). */
  organizationProviders: PgOrganizationProviders;
  signInLimit: RequestHandler;
  /** Where sign-ins, refusals and sign-outs are kept for auditors (and logged). */
  events: PgSignInEvents;
  tokens: TokenService;
  log: (event: SignInEventKind, fields: Record<string, unknown>) => void;
}

const STATE_COOKIE = 'cv_sign_in';
const STATE_TTL_S = 600;

interface SignInState {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  at: number;
  /** Set when the person signs in through their organisation's own provider. */
  organizationId?: string;
}

/**
 * The backend-for-frontend: the portal signs people in with the OpenID Connect authorization-code
 * flow and PKCE, the API exchanges the code and checks the ID token, and the browser only ever holds
 * an HttpOnly session cookie — no token reaches JavaScript. The same code serves the development
 * provider and a production one; only the issuer and the client differ.
 */
export function browserSignInRoutes(options: BrowserSignInOptions): Router {
  const router = Router();
  const secure = options.publicUrl.startsWith('https:');
  const redirectUri = `${options.publicUrl}/auth/callback`;
  const audit = async (event: SignInEventKind, fields: { role?: string; subject?: string; acr?: string | null; reason?: string }): Promise<void> => {
    options.log(event, fields);
    await options.events.record(event, fields);
  };
  const discovered = new Map<string, Promise<oidc.Configuration>>();
  /** The provider's configuration from its discovery document, fetched once per issuer and client (again after a failure). */
  const discover = (issuer: string, clientId: string, clientSecret: string, key: string): Promise<oidc.Configuration> => {
    let configuration = discovered.get(key);
    if (!configuration) {
      configuration = oidc
        .discovery(
          new URL(issuer),
          clientId,
          undefined,
          oidc.ClientSecretBasic(clientSecret),
          issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {},
        )
        .catch((err: unknown) => {
          discovered.delete(key); // try discovery again on the next sign-in
          throw new DomainError('not_available', `the identity provider cannot be reached (${(err as Error).message})`);
        });
      discovered.set(key, configuration);
    }
    return configuration;
  };
  const provider = (): Promise<oidc.Configuration> => discover(options.issuer, options.clientId, options.clientSecret, '');
  /** An organisation's own provider, as the operator last set it (a change of settings is a new discovery). */
  const organizationProvider = async (organizationId: string): Promise<{ config: oidc.Configuration; settings: OrganizationProvider }> => {
    const settings = await options.organizationProviders.withSecret(organizationId);
    if (!settings) throw new DomainError('not_found', `organisation ${organizationId} has no identity provider of its own`);
    const config = await discover(settings.issuer, settings.clientId, settings.clientSecret, `${organizationId}@${settings.updatedAt.getTime()}`);
    return { config, settings };
  };

  router.get('/auth/login', options.signInLimit, async (req, res) => {
    const returnTo = typeof req.query.returnTo === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(req.query.returnTo) ? req.query.returnTo : '/';
    const { organization } = parseInput(LoginQuery, req.query);
    const signIn: SignInState = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo,
      at: Date.now(),
      ...(organization ? { organizationId: organization } : {}),
    };
    const pkce = {
      code_challenge: await oidc.calculatePKCECodeChallenge(signIn.verifier),
      code_challenge_method: 'S256',
      state: signIn.state,
      nonce: signIn.nonce,
    };
    let url: URL;
    if (organization) {
      const { config, settings } = await organizationProvider(organization);
      url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: settings.scopes, ...pkce });
    } else {
      url = oidc.buildAuthorizationUrl(await provider(), {
        redirect_uri: redirectUri,
        scope: options.scopes,
        ...pkce,
        ...(options.requiredAcr ? { acr_values: options.requiredAcr } : {}),
        ...(options.promptLogin ? { prompt: 'login' } : {}),
      });
    }
    const sealed = seal(options.kek, Buffer.from(JSON.stringify(signIn)), 'cv:sign-in-state:v1').toString('base64url');
    res.cookie(STATE_COOKIE, sealed, { httpOnly: true, secure, sameSite: 'lax', path: '/auth', maxAge: STATE_TTL_S * 1000 });
    res.redirect(303, url.href);
  });

  router.get('/auth/callback', options.signInLimit, async (req, res) => {
    const signIn = readState(cookieValue(req, [STATE_COOKIE]), options.kek);
    res.clearCookie(STATE_COOKIE, { path: '/auth', httpOnly: true, secure, sameSite: 'lax' });
    if (!signIn) throw new DomainError('invalid_request', 'no sign-in is in progress in this browser, or it took over 10 minutes; start again');
    const through = signIn.organizationId ? await organizationProvider(signIn.organizationId) : undefined;
    const config = through?.config ?? (await provider());
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, options.publicUrl), {
        pkceCodeVerifier: signIn.verifier,
        expectedState: signIn.state,
        expectedNonce: signIn.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims()!;
    } catch (err) {
      await audit('sign-in-refused', { reason: (err as Error).message });
      throw new DomainError('unauthorized', `the identity provider did not sign you in: ${(err as Error).message}`);
    }
    if (through) {
      const principal = await staffPrincipalOf(claims, through.settings, options).catch(async (err: unknown) => {
        await audit('sign-in-refused', { reason: (err as Error).message });
        throw err;
      });
      const session = await options.sessions.create(principal, {});
      setSessionCookie(res, session.id, secure);
      await audit('sign-in', { role: principal.role, subject: principal.subject, acr: typeof claims.acr === 'string' ? claims.acr : null });
      res.redirect(303, signIn.returnTo);
      return;
    }
    if (options.requiredAcr && claims.acr !== options.requiredAcr) {
      await audit('sign-in-refused', { reason: 'assurance level', acr: typeof claims.acr === 'string' ? claims.acr : null });
      throw new DomainError(
        'forbidden',
        `this service needs the assurance level ${options.requiredAcr}; the identity provider vouched for ${claims.acr ?? 'none'}`,
      );
    }
    const principal = await principalOf(claims, options);
    const session = await options.sessions.create(principal, { ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}) });
    setSessionCookie(res, session.id, secure);
    await audit('sign-in', { role: principal.role, subject: principal.subject, acr: typeof claims.acr === 'string' ? claims.acr : null });
    res.redirect(303, signIn.returnTo);
  });

  router.get('/auth/session', async (req, res) => {
    const id = sessionCookie(req);
    const session = id ? await options.sessions.resolve(id) : undefined;
    if (!session) throw new DomainError('unauthorized', 'not signed in');
    const { principal } = session;
    const organization = principal.organizationId ? await options.organizations.get(principal.organizationId) : undefined;
    res.set('cache-control', 'no-store').json({
      role: principal.role,
      subject: principal.subject,
      ...(organization ? { name: organization.name } : {}),
      ...(principal.nationalId ? { nationalId: principal.nationalId } : {}),
      ...(principal.organizationId ? { organizationId: principal.organizationId } : {}),
      csrfToken: session.csrfToken,
      idleExpiresAt: session.idleExpiresAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    });
  });

  router.post('/auth/logout', async (req, res) => {
    const id = sessionCookie(req);
    const session = id ? await options.sessions.resolve(id) : undefined;
    if (session) {
      if (!csrfMatches(session.csrfToken, req.get('x-csrf-token')))
        throw new DomainError('csrf_token_invalid', "signing out needs the session's CSRF token in x-csrf-token");
      await options.sessions.end(id!);
      await audit('sign-out', { role: session.principal.role, subject: session.principal.subject });
    }
    res.clearCookie(sessionCookieName(secure), { path: '/', httpOnly: true, secure, sameSite: 'lax' });
    res.status(204).end();
  });

  router.get('/v1/audit/sign-ins', requireRole(options.tokens, 'auditor', 'operator'), async (req, res) => {
    const query = parseInput(SignInEventsQuery, req.query);
    res.set('cache-control', 'no-store').json(await options.events.list(query.limit, query.cursor));
  });
  return router;
}

/** No Max-Age: a browser-session cookie; the API itself ends the session when it is idle or too old. */
function setSessionCookie(res: Response, id: string, secure: boolean): void {
  res.cookie(sessionCookieName(secure), id, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
}

function readState(raw: string | undefined, kek: Uint8Array): SignInState | undefined {
  if (!raw) return undefined;
  try {
    const state = JSON.parse(Buffer.from(open(kek, Buffer.from(raw, 'base64url'), 'cv:sign-in-state:v1')).toString()) as SignInState;
    return Date.now() - state.at <= STATE_TTL_S * 1000 ? state : undefined;
  } catch {
    return undefined; // tampered with, or sealed under another key
  }
}

/** Who the ID token says signed in: a citizen (the national id claim), or staff whose role a claim names. */
async function principalOf(claims: oidc.IDToken, options: BrowserSignInOptions): Promise<Principal> {
  const nationalId = claims[options.nationalIdClaim];
  if (typeof nationalId === 'string') {
    if (!/^\d{12}$/.test(nationalId))
      throw new DomainError('unauthorized', `the identity provider's ${options.nationalIdClaim} claim is not a 12-digit citizen identity number`);
    return { role: 'citizen', nationalId, subject: citizenSubject(nationalId) };
  }
  const role = claims.cv_role;
  if (role === 'operator' || role === 'auditor') return { role, subject: `staff:${claims.sub}` };
  if (role === 'organization' && typeof claims.organization_id === 'string') {
    const org = await options.organizations.get(claims.organization_id);
    if (!org || org.status !== 'VERIFIED') throw new DomainError('forbidden', 'the organisation is unknown or suspended');
    return { role: 'organization', organizationId: org.id, subject: `org:${org.id}` };
  }
  throw new DomainError('unauthorized', `the ID token carries neither a ${options.nationalIdClaim} claim nor a staff role`);
}

/**
 * Staff signing in through their organisation's own provider: the organisation is the one the sign-in
 * began for (never a claim), it must be verified, and the role is the one its mapping gives.
 */
async function staffPrincipalOf(claims: oidc.IDToken, provider: OrganizationProvider, options: BrowserSignInOptions): Promise<Principal> {
  const org = await options.organizations.get(provider.organizationId);
  if (!org || org.status !== 'VERIFIED') throw new DomainError('forbidden', 'the organisation is unknown or suspended');
  const role = staffRoleOf(claims, provider);
  const staff = `staff:${org.id}:${claims.sub.slice(0, 200)}`;
  return role === 'organization' ? { role, organizationId: org.id, subject: staff } : { role, subject: staff };
}

export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
