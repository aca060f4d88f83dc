import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { DomainError, ERROR_CATALOG, isConvertibleError, type ErrorCode } from '../errors/index.js';
import { isDatabaseUnavailable } from '../infra/database-errors.js';

/** Parses untrusted input once, at the edge, or answers 400 with every problem and where it is. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DomainError('invalid_request', 'the request does not match its schema', {
      errors: result.error.issues.map((i) => ({ path: '/' + i.path.join('/'), message: i.message })),
    });
  }
  return result.data;
}

/** The members RFC 9457 and this API define; an error's extra details never replace them. */
const RESERVED = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId']);

function problem(status: number, code: ErrorCode, detail: string, instance: string, details: Record<string, unknown> = {}) {
  const extra = Object.fromEntries(Object.entries(details).filter(([key]) => !RESERVED.has(key)));
  return {
    type: `https://citizen-vault.vn/problems/${code.replace(/_/g, '-')}`,
    title: code.replace(/_/g, ' '),
    status,
    code,
    detail,
    instance,
    ...extra,
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new DomainError('not_found', `no route for ${req.method} ${req.path}`));
};

/** RFC 9457 problem+json for every error; a client's mistake is never a 500, and a 500 says nothing of the internals. */
export function problemHandler(log: (err: unknown, requestId: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(res.getHeader('x-request-id') ?? '');
    let body: ReturnType<typeof problem>;
    const domain = err instanceof DomainError ? err : isConvertibleError(err) ? err.toDomainError() : undefined;
    if (domain) {
      body = problem(ERROR_CATALOG[domain.code].status, domain.code, domain.detail, req.originalUrl, domain.extra);
    } else if (err instanceof URIError) {
      // The router could not decode a path parameter: the client's malformed percent-encoding.
      body = problem(400, 'invalid_request', 'the path has malformed percent-encoding', req.originalUrl);
    } else if (isDatabaseUnavailable(err)) {
      res.setHeader('retry-after', '5');
      body = problem(503, 'database_unavailable', 'the database is not reachable right now; nothing was changed, retry shortly', req.originalUrl);
    } else if (isBodyParserError(err)) {
      body =
        err.type === 'entity.too.large'
          ? problem(413, 'payload_too_large', 'the request body is too large', req.originalUrl)
          : problem(400, 'invalid_json', 'the request body is not valid JSON', req.originalUrl);
    } else {
      log(err, requestId);
      body = problem(500, 'internal', 'an internal error occurred; it has been logged', req.originalUrl);
    }
    res
      .status(body.status)
      .type('application/problem+json')
      .json({ ...body, requestId });
  };
}

function isBodyParserError(err: unknown): err is { type: string } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string' && 'statusCode' in err;
}
