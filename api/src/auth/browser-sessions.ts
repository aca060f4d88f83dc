import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Principal } from './principal.js';

/** A signed-in browser: who it is, and the token its state-changing requests must echo (CSRF). */
export interface BrowserSession {
  principal: Principal;
  csrfToken: string;
}

/** Looks a browser session up by its cookie's value (the sign-in capability keeps them). */
export interface BrowserSessions {
  resolve(sessionId: string): Promise<BrowserSession | undefined>;
}

/** `__Host-` binds the cookie to this origin over TLS (no Domain, Path=/, Secure); plain http (dev) cannot use it. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-cv_session' : 'cv_session';
}

/** The session cookie's value, if the request carries one (either name: a proxy may end TLS in front). */
export function sessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== 'cv_session' && name !== '__Host-cv_session') continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
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
