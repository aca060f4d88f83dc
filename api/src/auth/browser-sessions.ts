import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Principal } from './principal.js';

/** A signed-in browser: who it is, and the token its state-changing requests must echo (CSRF). */
export interface BrowserSession {
  principal: Principal;
  csrfToken: string;
  /** When the session ends if it stays idle, and when it ends in any case. */
  idleExpiresAt: Date;
  expiresAt: Date;
}

/** Looks a browser session up by its cookie's value (the sign-in capability keeps them). */
export interface BrowserSessions {
  resolve(sessionId: string): Promise<BrowserSession | undefined>;
}

/** `__Host-` binds the cookie to this origin over TLS (no Domain, Path=/, Secure); plain http (dev) cannot use it. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-cv_session' : 'cv_session';
}

/** A cookie's value by name, when it is well-formed base64url (anything else is not one this API set). */
export function cookieValue(req: Request, names: readonly string[], maxLength = 4096): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || !names.includes(part.slice(0, eq).trim())) continue;
    const value = part.slice(eq + 1).trim();
    if (value.length <= maxLength && /^[A-Za-z0-9_-]+$/.test(value)) return value;
  }
  return undefined;
}

/** The session cookie's value, if the request carries one (either name: a proxy may end TLS in front). */
export function sessionCookie(req: Request): string | undefined {
  const value = cookieValue(req, ['cv_session', '__Host-cv_session'], 43);
  return value?.length === 43 ? value : undefined;
}

/** Safe methods change nothing, so only the others must prove they come from the portal's own pages. */
export function needsCsrfProof(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
