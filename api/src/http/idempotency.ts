import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { csrfMatches, sessionCookie } from '../auth/browser-sessions.js';
import type { TokenService } from '../auth/tokens.js';
import type { Sql } from '../infra/database.js';
import { open, seal } from '../infra/aead.js';
import { DomainError } from '../errors/index.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Routes that issue credentials: a token answer is never kept, and so never replayed. */
const NEVER_REPLAYED = new Set(['/oauth/token', '/dev/token']);

export interface IdempotencyOptions {
  /** Seals the stored answers (they can carry one-time secrets, such as a webhook's signing secret). */
  kek: Uint8Array;
  /** How long a request holds its key without renewing it; after a crash, the key is free again this long after. */
  leaseMs?: number;
}

type Keyed = Request & { idempotentRetry?: boolean; idempotencyRef?: string };

/** Set on a request that takes over a key whose first request never finished: its work may have been done already. */
export function isIdempotentRetry(req: Request): boolean {
  return (req as Keyed).idempotentRetry === true;
}

/** An opaque name for the caller's Idempotency-Key, for work that must find its first attempt's result on a retry. */
export function idempotencyRef(req: Request): string | undefined {
  return (req as Keyed).idempotencyRef;
}

const binding = (scope: string, key: string): string => `cv:idempotency:v1|${scope}|${key}`;

/**
 * `Idempotency-Key` on authenticated POSTs: the first request with a key does the work and its
 * answer is kept, sealed with the KEK; a retry with the same key and body gets that answer again
 * (`Idempotent-Replayed: true`), a different body with the same key is refused (422), and a retry
 * while the first is still running gets 409 `idempotency_key_in_use`. Keys are scoped to the
 * verified caller (a bearer token, or a portal session with its CSRF token), so one caller can
 * never see another's answers; unauthenticated requests and token issuance are left alone (a token
 * response must never be replayed).
 *
 * Nothing stays stuck: the answer is stored before it is sent (not when the socket finishes, which
 * a client that gave up never reaches), and a running request holds a lease it renews; if the
 * process dies, the lease runs out and a retry does the work again. Server errors are not kept: the
 * key is free again at once.
 */
export function idempotency(sql: Sql, tokens: TokenService, options: IdempotencyOptions): RequestHandler {
  const leaseMs = options.leaseMs ?? 30_000;
  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined || NEVER_REPLAYED.has(req.path)) return next();
    void (async () => {
      if (!KEY.test(key)) throw new DomainError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
      const bearer = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
      const session = bearer ? undefined : sessionCookie(req);
      if (!bearer && !session) return next();
      // Only a parsed body can be compared: a body this layer could not read (not JSON) would hash
      // as nothing, and any other body would then replay its answer.
      // (`req.is` is null without a body, false for a body of another type — chunked or not.)
      const json = req.is('application/json');
      if (json === false || (json && req.body === undefined)) throw new DomainError('invalid_request', 'Idempotency-Key is honoured on JSON requests only');
      // The caller, as the route will check it: a bearer token, or a portal session whose request
      // proves it comes from the portal (the CSRF token) — anything else is left to the route to refuse.
      const principal = bearer
        ? await tokens.verify(bearer).catch(() => undefined)
        : await tokens.verifySession(session!).then(
            (s) => (csrfMatches(s.csrfToken, req.get('x-csrf-token')) ? s.principal : undefined),
            () => undefined,
          );
      if (!principal) return next(); // the route's own check answers 401 or 403
      const scope = `${principal.role}:${principal.subject}`;
      const requestHash = createHash('sha256')
        .update(`${req.method} ${req.originalUrl}\n`)
        .update(JSON.stringify(req.body ?? null))
        .digest('hex');
      await sql`delete from idempotency_keys where created_at < now() - interval '24 hours'`;
      // A new key, or one whose first request stopped renewing its lease without an answer (the
      // process died): this request does the work.
      const [claimed] = await sql<{ taken_over: boolean }[]>`
        insert into idempotency_keys (scope, key, request_hash, lease_until)
        values (${scope}, ${key}, ${requestHash}, now() + ${leaseMs} * interval '1 millisecond')
        on conflict (scope, key) do update set lease_until = excluded.lease_until
          where idempotency_keys.completed = false and idempotency_keys.lease_until < now() and idempotency_keys.request_hash = excluded.request_hash
        returning (xmax <> 0) as taken_over`;
      if (!claimed) {
        const [first] = await sql<{ request_hash: string; completed: boolean; status: number; content_type: string; body: Buffer }[]>`
          select request_hash, completed, status, content_type, body from idempotency_keys where scope = ${scope} and key = ${key}`;
        if (!first) return next(); // expired in between: treat as new
        if (first.request_hash !== requestHash) throw new DomainError('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
        if (!first.completed) throw new DomainError('idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed; retry shortly');
        const body = first.body.length > 0 ? Buffer.from(open(options.kek, first.body, binding(scope, key))) : Buffer.alloc(0);
        res.status(first.status).set('idempotent-replayed', 'true').type(first.content_type).send(body);
        return;
      }
      (req as Keyed).idempotencyRef = createHash('sha256').update(`${scope}\n${key}`).digest('base64url');
      if (claimed.taken_over) (req as Keyed).idempotentRetry = true;
      const renew = setInterval(
        () => {
          sql`update idempotency_keys set lease_until = now() + ${leaseMs} * interval '1 millisecond' where scope = ${scope} and key = ${key} and completed = false`.catch(
            () => {},
          );
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      renew.unref();
      // Not on 'close': a client that gave up closes the socket while the work goes on, and the key must stay taken.
      res.on('finish', () => {
        clearInterval(renew);
        // Answered without a body (none of our POSTs is): nothing to replay, so the key is free again.
        if (!stored) sql`update idempotency_keys set lease_until = now() where scope = ${scope} and key = ${key} and completed = false`.catch(() => {});
      });
      const send = res.send.bind(res);
      let stored = false;
      res.send = (body?: unknown) => {
        if (stored) return send(body);
        stored = true;
        clearInterval(renew);
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
        // Kept before it is sent: once the caller can see the answer, a retry replays it.
        // A server error is not kept, and the key is free at once; its retry is told the work may
        // have been done (the ledger may have committed before the failure), like after a crash.
        const store =
          res.statusCode >= 500
            ? sql`update idempotency_keys set lease_until = now() - interval '1 millisecond' where scope = ${scope} and key = ${key} and completed = false`
            : sql`update idempotency_keys set completed = true, status = ${res.statusCode}, content_type = ${String(res.getHeader('content-type') ?? 'application/json')},
                  body = ${bytes.length > 0 ? seal(options.kek, bytes, binding(scope, key)) : Buffer.alloc(0)}
                where scope = ${scope} and key = ${key}`;
        store.then(
          () => send(body),
          () => send(body), // unrecorded: the lease runs out and a retry does the work again
        );
        return res;
      };
      next();
    })().catch(next);
  };
}
