import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { RateLimits } from '../config.js';
import { DomainError } from '../errors/index.js';

export type { RateLimits } from '../config.js';

/** The limiters the HTTP edge puts in front of what an attacker would hammer: tokens, sign-in, authentication. */
export interface RateLimiters {
  /** `/oauth/token`, per address. */
  tokenPerIp: RequestHandler;
  /** `/oauth/token`, per client claimed in the request (after the form is parsed). */
  tokenPerClient: RequestHandler;
  /** Sign-in (`/dev/token`), per address. */
  signIn: RequestHandler;
  /** Requests answered 401, per address: guessing tokens gets slower, honest calls are not counted. */
  authFailures: RequestHandler;
  /** Passkey registration (options and response) and decision challenges: per address, and per citizen (after authentication). */
  passkeyPerIp: RequestHandler;
  passkeyPerCitizen: RequestHandler;
}

/** The citizen a request was authenticated as, hashed: the limiter's memory holds no national id. */
const citizenOf = (req: Request): string | undefined =>
  req.principal?.nationalId ? `citizen:${createHash('sha256').update(req.principal.nationalId).digest('base64url')}` : undefined;

const addressOf = (req: Request): string => ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/**
 * express-rate-limit with a memory store per API instance (a window's counts are per instance;
 * behind a load balancer each instance enforces its share). A refusal is our problem+json, 429
 * `rate_limited`, with `Retry-After` in seconds.
 */
export function createRateLimiters(limits: RateLimits, clientOf: (req: Request) => string | undefined): RateLimiters {
  const limiter = (limit: number, what: string, key: (req: Request) => string, extra: Parameters<typeof rateLimit>[0] = {}) =>
    rateLimit({
      windowMs: limits.windowMs,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: key,
      handler: (_req, _res, next) => next(new DomainError('rate_limited', `too many ${what}; try again after the time in Retry-After`)),
      ...extra,
    });
  return {
    tokenPerIp: limiter(limits.tokenPerIp, 'token requests from this address', addressOf),
    tokenPerClient: limiter(limits.tokenPerClient, 'token requests for this client', (req) => {
      const client = clientOf(req);
      return client ? `client:${client}` : `ip:${addressOf(req)}`;
    }),
    signIn: limiter(limits.signInPerIp, 'sign-ins from this address', addressOf),
    authFailures: limiter(limits.authFailuresPerIp, 'failed authentications from this address', addressOf, {
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    }),
    passkeyPerIp: limiter(limits.passkeyPerIp, 'passkey requests from this address', addressOf),
    passkeyPerCitizen: limiter(limits.passkeyPerCitizen, 'passkey requests for this citizen', (req) => citizenOf(req) ?? `ip:${addressOf(req)}`),
  };
}
