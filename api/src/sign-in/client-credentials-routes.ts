import express, { Router, type Request } from 'express';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { assertSafeInput } from '../http/input-guard.js';
import { DomainError } from '../errors/index.js';
import type { RateLimiters } from '../http/rate-limits.js';
import type { TokenService } from '../auth/tokens.js';
import { TokenRequest } from './client-credentials-schemas.js';
import type { OrganizationDirectory } from './organization-directory.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_S = 300;

/** An OAuth error as RFC 6749 §5.2 names it, carried in a problem+json body. */
function oauthError(error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type', description: string): DomainError {
  return new DomainError(error === 'invalid_client' ? 'unauthorized' : 'invalid_request', description, { error, error_description: description });
}

/**
 * The token endpoint for organisations: the client proves itself with a short-lived JWT signed by a
 * key it registered (iss = sub = its organisation id, aud = this endpoint, unique jti).
 */
export function clientCredentialsRoute(
  tokens: TokenService,
  organizations: OrganizationDirectory,
  tokenEndpoint: string,
  limits: Pick<RateLimiters, 'tokenPerIp' | 'tokenPerClient'>,
): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const clean: express.RequestHandler = (req, _res, next) => {
    assertSafeInput(req.body, 'form');
    next();
  };
  router.post('/oauth/token', limits.tokenPerIp, form, clean, limits.tokenPerClient, async (req, res) => {
    const parsed = TokenRequest.safeParse(req.body ?? {});
    if (!parsed.success) throw oauthError('invalid_request', 'grant_type, client_assertion_type and client_assertion are required');
    const body = parsed.data;
    if (body.grant_type !== 'client_credentials') throw oauthError('unsupported_grant_type', 'only client_credentials is supported');
    if (body.client_assertion_type !== ASSERTION_TYPE) throw oauthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}`);

    let claimedId: string | undefined;
    try {
      claimedId = decodeJwt(body.client_assertion).iss;
    } catch {
      throw oauthError('invalid_client', 'the client assertion is not a JWT');
    }
    const org = z.uuid().safeParse(claimedId).success ? await organizations.get(claimedId!) : undefined;
    if (!org || (body.client_id && body.client_id !== org.id)) throw oauthError('invalid_client', 'unknown client');
    if (org.status !== 'VERIFIED') throw oauthError('invalid_client', 'the organisation is suspended');

    let payload;
    try {
      ({ payload } = await jwtVerify(body.client_assertion, createLocalJWKSet(org.jwks), {
        issuer: org.id,
        subject: org.id,
        audience: tokenEndpoint,
        algorithms: ['ES256', 'EdDSA'],
        maxTokenAge: `${MAX_ASSERTION_LIFETIME_S}s`,
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw oauthError('invalid_grant', 'the client assertion has expired');
      throw oauthError('invalid_client', "the client assertion does not verify with the organisation's registered keys");
    }
    if (payload.exp! - Math.floor(Date.now() / 1000) > MAX_ASSERTION_LIFETIME_S)
      throw oauthError('invalid_grant', `a client assertion may live ${MAX_ASSERTION_LIFETIME_S} s at most`);
    if (!(await organizations.useAssertion(org.id, String(payload.jti), new Date(payload.exp! * 1000)))) {
      throw oauthError('invalid_grant', 'the client assertion was already used');
    }
    res.set('cache-control', 'no-store').json(await tokens.issue({ role: 'organization', organizationId: org.id, subject: `org:${org.id}` }));
  });
  return router;
}

/** The client a token request claims to be (unverified: only to count its attempts), from `client_id` or the assertion's `iss`. */
export function claimedClient(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const id = 'client_id' in body && typeof body.client_id === 'string' ? body.client_id : undefined;
  if (id) return id.slice(0, 64);
  const assertion = 'client_assertion' in body && typeof body.client_assertion === 'string' ? body.client_assertion : undefined;
  try {
    const iss = assertion ? decodeJwt(assertion).iss : undefined;
    return typeof iss === 'string' ? iss.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
