import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { TokenService } from '../auth/tokens.js';
import type { Sql } from '../infra/database.js';
import { ApiError } from './problem.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on authenticated POSTs: the first request with a key does the work and its
 * answer is kept; a retry with the same key and body gets that answer again (`Idempotent-Replayed:
 * true`), a different body with the same key is refused (422), and a retry while the first is still
 * running gets 409. Keys are scoped to the verified caller, so one caller can never see another's
 * answers; unauthenticated requests are left alone (a token response must never be replayed).
 * Server errors are not kept, so a retry after one runs again.
 */
export function idempotency(sql: Sql, tokens: TokenService): RequestHandler {
  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next();
    void (async () => {
      if (!KEY.test(key)) throw new ApiError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
      const bearer = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (!bearer) return next();
      const principal = await tokens.verify(bearer).catch(() => undefined);
      if (!principal) return next(); // the route's own check answers 401
      const scope = `${principal.role}:${principal.subject}`;
      const requestHash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`).update(JSON.stringify(req.body ?? null)).digest('hex');
      await sql`delete from idempotency_keys where created_at < now() - interval '24 hours'`;
      const inserted = await sql`insert into idempotency_keys (scope, key, request_hash) values (${scope}, ${key}, ${requestHash}) on conflict do nothing returning key`;
      if (inserted.length === 0) {
        const [first] = await sql<{ request_hash: string; completed: boolean; status: number; content_type: string; body: Buffer }[]>`
          select request_hash, completed, status, content_type, body from idempotency_keys where scope = ${scope} and key = ${key}`;
        if (!first) return next(); // expired in between: treat as new
        if (first.request_hash !== requestHash) throw new ApiError('idempotency_key_reused', 'this Idempotency-Key was used for a different request');
        if (!first.completed) throw new ApiError('conflict', 'a request with this Idempotency-Key is still being processed');
        res.status(first.status).set('idempotent-replayed', 'true').type(first.content_type).send(first.body);
        return;
      }
      let captured: Buffer | undefined;
      const send = res.send.bind(res);
      res.send = (body?: unknown) => {
        captured = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
        return send(body);
      };
      res.on('finish', () => {
        const store = res.statusCode >= 500
          ? sql`delete from idempotency_keys where scope = ${scope} and key = ${key}`
          : sql`update idempotency_keys set completed = true, status = ${res.statusCode}, content_type = ${String(res.getHeader('content-type') ?? 'application/json')}, body = ${captured ?? Buffer.alloc(0)}
                where scope = ${scope} and key = ${key}`;
        store.catch(() => {});
      });
      next();
    })().catch(next);
  };
}
