import { problemResponses, registry, z } from '../http/openapi.js';

export const BrowserSessionView = z
  .object({
    role: z.enum(['citizen', 'organization', 'auditor', 'operator']),
    subject: z.string(),
    name: z.string().optional().describe("the organisation's name, for its staff"),
    nationalId: z.string().optional().describe("a citizen's own identity number, to the citizen only"),
    organizationId: z.string().optional(),
    csrfToken: z.string().describe('send it back in x-csrf-token on every request that changes something'),
    idleExpiresAt: z.string().describe('when the session ends if it stays idle'),
    expiresAt: z.string().describe('when the session ends in any case'),
  })
  .openapi('BrowserSession');

/** What /auth/login reads besides returnTo (which it checks itself, falling back to /). */
export const LoginQuery = z.object({ organization: z.uuid().optional() });

const sessionCookie = { cookies: z.object({ cv_session: z.string().optional() }) };

registry.registerPath({
  method: 'get',
  path: '/auth/login',
  summary: 'Portal sign-in (backend-for-frontend): redirects to the identity provider with the authorization-code flow and PKCE',
  request: {
    query: z.object({
      returnTo: z.string().optional().describe('a path on this site to come back to (default /)'),
      organization: z.uuid().optional().describe("sign in through this organisation's own identity provider (its staff)"),
    }),
  },
  responses: {
    303: { description: "to the identity provider's authorization endpoint; sets a short-lived, sealed, HttpOnly sign-in state cookie" },
    ...problemResponses(400, 404, 429, 503),
  },
});
registry.registerPath({
  method: 'get',
  path: '/auth/callback',
  summary: 'Where the identity provider sends the browser back: the API exchanges the code, checks the ID token (and its acr), and starts a session',
  request: { query: z.object({ code: z.string().optional(), state: z.string().optional() }) },
  responses: {
    303: { description: 'to returnTo, with an HttpOnly SameSite=Lax session cookie; no token reaches the page' },
    ...problemResponses(400, 401, 403, 429, 503),
  },
});
registry.registerPath({
  method: 'get',
  path: '/auth/session',
  summary: 'Who this browser is signed in as, with the CSRF token its state-changing requests must carry',
  request: sessionCookie,
  responses: { 200: { description: 'the session', content: { 'application/json': { schema: BrowserSessionView } } }, ...problemResponses(401) },
});
registry.registerPath({
  method: 'post',
  path: '/auth/logout',
  summary: "Ends the browser session on the API and clears its cookie (needs the session's CSRF token in x-csrf-token)",
  request: { ...sessionCookie, headers: z.object({ 'x-csrf-token': z.string().optional() }) },
  responses: { 204: { description: 'signed out (or there was no session)' }, ...problemResponses(403) },
});

export const SignInEventsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();

const SignInEventView = z
  .object({
    id: z.string(),
    at: z.string(),
    event: z.enum(['sign-in', 'sign-in-refused', 'sign-out']),
    role: z.string().nullable(),
    subject: z.string().nullable().describe('the pseudonymous handle tokens carry; never a national id'),
    acr: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('SignInEvent');

registry.registerPath({
  method: 'get',
  path: '/v1/audit/sign-ins',
  summary: "The portal's sign-ins, refused sign-ins and sign-outs, newest first (auditors and the operator)",
  security: [{ bearerAuth: [] }],
  request: { query: SignInEventsQuery },
  responses: {
    200: {
      description: 'a page of events',
      content: { 'application/json': { schema: z.object({ items: z.array(SignInEventView), nextCursor: z.string() }) } },
    },
    ...problemResponses(400, 401, 403),
  },
});
