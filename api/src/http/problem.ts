import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { isDatabaseUnavailable } from '../infra/database-errors.js';
import { LedgerError } from '../ledger/fabric-ledger.js';

/** The API's error codes. HTTP statuses are decided here and nowhere else. */
export type ApiErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'not_available'
  | 'ledger_unavailable'
  | 'consent_not_active'
  | 'consent_expired'
  | 'consent_not_yet_valid'
  | 'purpose_mismatch'
  | 'field_not_granted'
  | 'frequency_exceeded'
  | 'not_acceptable'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'database_unavailable'
  | 'quota_exceeded'
  | 'privacy_budget_exhausted'
  | 'product_not_serving'
  | 'prelisting_check_failed'
  | 'licence_not_active'
  | 'licence_not_yet_valid'
  | 'licence_expired'
  | 'purpose_not_permitted'
  | 'rate_limited'
  | 'internal';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  not_available: 503,
  ledger_unavailable: 503,
  consent_not_active: 403,
  consent_expired: 403,
  consent_not_yet_valid: 403,
  purpose_mismatch: 403,
  field_not_granted: 403,
  frequency_exceeded: 429,
  not_acceptable: 406,
  idempotency_key_reused: 422,
  idempotency_key_in_use: 409,
  database_unavailable: 503,
  quota_exceeded: 429,
  privacy_budget_exhausted: 403,
  product_not_serving: 403,
  prelisting_check_failed: 422,
  licence_not_active: 403,
  licence_not_yet_valid: 403,
  licence_expired: 403,
  purpose_not_permitted: 403,
  rate_limited: 429,
  internal: 500,
};

/** Chaincode refusals, as the API answers them. */
const LEDGER_STATUS: Record<string, [number, string]> = {
  invalid_argument: [400, 'invalid_request'],
  not_found: [404, 'not_found'],
  already_exists: [409, 'conflict'],
  forbidden: [403, 'forbidden'],
  illegal_transition: [409, 'illegal_transition'],
  commit_failed: [409, 'conflict'],
  product_not_listed: [403, 'product_not_serving'],
  buyer_not_verified: [403, 'buyer_not_verified'],
  purpose_not_permitted: [403, 'purpose_not_permitted'],
  plan_not_found: [400, 'invalid_request'],
  duration_exceeded: [400, 'invalid_request'],
  ledger_unavailable: [503, 'ledger_unavailable'],
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** Parses untrusted input once, at the edge, or answers 400 with every problem and where it is. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ApiError('invalid_request', 'the request does not match its schema', {
      errors: result.error.issues.map((i) => ({ path: '/' + i.path.join('/'), message: i.message })),
    });
  }
  return result.data;
}

function problem(status: number, code: string, detail: string, instance: string, extra: Record<string, unknown> = {}) {
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
  next(new ApiError('not_found', `no route for ${req.method} ${req.path}`));
};

/** RFC 9457 problem+json for every error; a client's mistake is never a 500, and a 500 says nothing of the internals. */
export function problemHandler(log: (err: unknown, requestId: string) => void): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(res.getHeader('x-request-id') ?? '');
    let body: ReturnType<typeof problem>;
    if (err instanceof ApiError) {
      body = problem(STATUS[err.code], err.code, err.detail, req.originalUrl, err.extra);
    } else if (err instanceof LedgerError) {
      const [status, code] = LEDGER_STATUS[err.code] ?? [502, 'ledger_error'];
      body = problem(status, code, err.detail, req.originalUrl, { ledgerCode: err.code });
    } else if (err instanceof URIError) {
      // The router could not decode a path parameter: the client's malformed percent-encoding.
      body = problem(400, 'invalid_request', 'the path has malformed percent-encoding', req.originalUrl);
    } else if (isDatabaseUnavailable(err)) {
      res.setHeader('retry-after', '5');
      body = problem(503, 'database_unavailable', 'the database is not reachable right now; nothing was changed, retry shortly', req.originalUrl);
    } else if (isBodyParserError(err)) {
      body = err.type === 'entity.too.large'
        ? problem(413, 'payload_too_large', 'the request body is too large', req.originalUrl)
        : problem(400, 'invalid_json', 'the request body is not valid JSON', req.originalUrl);
    } else {
      log(err, requestId);
      body = problem(500, 'internal', 'an internal error occurred; it has been logged', req.originalUrl);
    }
    res.status(body.status).type('application/problem+json').json({ ...body, requestId });
  };
}

function isBodyParserError(err: unknown): err is { type: string } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string' && 'statusCode' in err;
}
