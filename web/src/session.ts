import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Role = 'citizen' | 'organization' | 'auditor' | 'operator';

export interface Session {
  role: Role;
  token: string;
  /** What the header shows: the organisation's name, or nothing for a citizen (no personal data on screen that isn't asked for). */
  name?: string;
  expiresAt: number;
}

const KEY = 'cv.session';

/** The session lives in sessionStorage: it ends with the tab, and access tokens last 15 minutes anyway. */
export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const s = parsed as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.role !== 'string' || typeof s.expiresAt !== 'number' || s.expiresAt < Date.now()) return undefined;
    return s as Session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  try {
    if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
    else sessionStorage.removeItem(KEY);
  } catch {
    // a session that is not remembered still works in this page
  }
}

export interface SessionApi {
  session: Session | undefined;
  signIn(session: Session): void;
  /** Ends the session; `expired` says why, for the sign-in page to tell the person. */
  signOut(expired?: boolean): void;
}

export const SessionContext = createContext<SessionApi>({ session: undefined, signIn: () => {}, signOut: () => {} });
export const useSession = (): SessionApi => useContext(SessionContext);

export function homeOf(role: Role): string {
  return { citizen: '/citizen/requests', organization: '/enterprise/requests', auditor: '/auditor/ledger', operator: '/operator/organizations' }[role];
}
