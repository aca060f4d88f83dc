import type { Request, RequestHandler } from 'express';
import { DomainError } from '../errors/index.js';
import type { Organization } from './calling-organization.js';
import { csrfMatches, needsCsrfProof, sessionCookie } from './browser-sessions.js';
import type { Principal, Role } from './principal.js';
import type { TokenService } from './tokens.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Requires a valid bearer token — or, from the portal, a browser session cookie, whose
 * state-changing requests must also carry the session's CSRF token in `x-csrf-token` — whose role
 * is one of `roles`; the principal is then on `req.principal`.
 */
export function requireRole(tokens: TokenService, ...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const session = header === undefined ? sessionCookie(req) : undefined;
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header ?? '');
    if (!match && !session) {
      res.setHeader('www-authenticate', 'Bearer');
      next(new DomainError('unauthorized', 'a bearer access token is required'));
      return;
    }
    const verified = match
      ? tokens.verify(match[1]!)
      : tokens.verifySession(session!).then(({ principal, csrfToken }) => {
          if (needsCsrfProof(req.method) && !csrfMatches(csrfToken, req.get('x-csrf-token'))) {
            throw new DomainError('csrf_token_invalid', "a request made with the session cookie must carry the session's CSRF token in x-csrf-token");
          }
          return principal;
        });
    verified.then(
      (principal) => {
        if (!roles.includes(principal.role)) {
          next(new DomainError('forbidden', `this needs the role ${roles.join(' or ')}`));
          return;
        }
        req.principal = principal;
        next();
      },
      (err: unknown) => {
        if (match) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        next(err);
      },
    );
  };
}

export function principal(req: Request): Principal {
  if (!req.principal) throw new DomainError('unauthorized', 'not authenticated');
  return req.principal;
}

/** The calling organisation, as loaded (and found active) when its token was checked. */
export function callingOrganization(req: Request): Organization {
  const org = principal(req).organization as Organization | undefined;
  if (!org) throw new DomainError('forbidden', "this needs an organisation's token");
  return org;
}

/**
 * Optional authentication for public pages (the catalogue): no credentials, the public; a bearer
 * token or a session cookie, it must be valid. Only for safe methods, so no CSRF proof is needed.
 */
export async function optionalPrincipal(tokens: TokenService, req: Request): Promise<Principal | undefined> {
  const header = req.get('authorization');
  if (header === undefined) {
    const session = sessionCookie(req);
    return session ? (await tokens.verifySession(session)).principal : undefined;
  }
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) throw new DomainError('unauthorized', 'a bearer access token is required');
  return tokens.verify(token);
}
