import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiProblem, call, send, setCsrfToken } from './api/client';

export type Role = 'citizen' | 'organization' | 'auditor' | 'operator';

/** Who is signed in, as the API's session says: the browser holds only an HttpOnly cookie, never a token. */
export interface Session {
  role: Role;
  subject: string;
  /** What the header shows: the organisation's name, or nothing for a citizen (no personal data on screen that isn't asked for). */
  name?: string;
  csrfToken: string;
  /** When the session ends if it stays idle. */
  idleExpiresAt: string;
}

/** Asks the API who this browser is signed in as; undefined when it is not (or no longer). */
export async function loadSession(): Promise<Session | undefined> {
  try {
    const session = await call<Session>('/auth/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiProblem && (err.status === 401 || err.status === 404)) {
      setCsrfToken(undefined);
      return undefined;
    }
    throw err;
  }
}

/** Signing in is a round trip through the identity provider: the API's /auth/login, back to `returnTo`. */
export function startSignIn(returnTo = '/', organizationId?: string): void {
  const through = organizationId ? `&organization=${encodeURIComponent(organizationId)}` : '';
  location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}${through}`);
}

/** Ends the session on the API (which forgets it and clears the cookie). */
export async function endSession(): Promise<void> {
  await send('/auth/logout', { method: 'POST' }).catch(() => {});
  setCsrfToken(undefined);
}

export interface SessionApi {
  session: Session | undefined;
  /** Ends the session; `expired` says why, for the sign-in page to tell the person. */
  signOut(expired?: boolean): void;
}

export const SessionContext = createContext<SessionApi>({ session: undefined, signOut: () => {} });
export const useSession = (): SessionApi => useContext(SessionContext);

export function homeOf(role: Role): string {
  return { citizen: '/citizen/requests', organization: '/enterprise/requests', auditor: '/auditor/ledger', operator: '/operator/organizations' }[role];
}
