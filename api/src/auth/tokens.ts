import { createHmac } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { DomainError } from '../errors/index.js';
import type { SigningKeys } from './signing-keys.js';
import type { BrowserSession, BrowserSessions } from './browser-sessions.js';
import type { Principal } from './principal.js';
import { VerifiedTokens } from './verified-tokens.js';

export type { Principal, Role } from './principal.js';

const ACCESS_TOKEN_TTL_S = 15 * 60;
/** Clock skew tolerated between this API's instances: an `iat` further ahead than this is refused. */
const CLOCK_SKEW_S = 30;
/** RFC 9068: the header type that tells an access token from anything else this key signs (consent artefacts are `consent+jws`). */
const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHMS = ['ES256', 'EdDSA'];

export interface TokenServiceOptions {
  keys: SigningKeys;
  issuer: string;
  audience: string;
  /** Citizens' OpenID Connect provider (the national identity app), when configured. */
  citizenOidc?: { issuer: string; jwksUrl: string };
  /**
   * Loads an organisation that may act now (undefined when suspended or unknown): a suspension takes
   * effect on its next request, not when its token expires.
   */
  activeOrganization?: (organizationId: string) => Promise<unknown>;
  /** Tokens already verified, until they expire (a bounded cache; tests pass their own clock). */
  verified?: VerifiedTokens;
  /** The portal's browser sessions (the backend-for-frontend), when sign-in is configured. */
  sessions?: BrowserSessions;
}

/** Issues the API's short-lived access tokens and verifies every bearer token against an algorithm allow-list. */
export class TokenService {
  private readonly localKeys;
  private readonly citizenKeys;
  readonly verified: VerifiedTokens;

  constructor(private readonly options: TokenServiceOptions) {
    this.verified = options.verified ?? new VerifiedTokens();
    this.localKeys = createLocalJWKSet(options.keys.jwks);
    this.citizenKeys = options.citizenOidc ? createRemoteJWKSet(new URL(options.citizenOidc.jwksUrl)) : undefined;
  }

  async issue(principal: Principal): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    const claims: JWTPayload & Record<string, unknown> = { role: principal.role };
    if (principal.nationalId) claims.nid = principal.nationalId;
    if (principal.organizationId) claims.org = principal.organizationId;
    // One reading of the clock for both: read twice, a second could tick between them and the token would outlive the TTL check.
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: this.options.keys.kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(principal.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_S)
      .setJti(crypto.randomUUID())
      .sign(this.options.keys.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S };
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) return this.withActiveOrganization(known);
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new DomainError('unauthorized', 'the access token is not valid');
    }
    if (this.citizenKeys && this.options.citizenOidc && issuer === this.options.citizenOidc.issuer && issuer !== this.options.issuer) {
      return this.verifyCitizen(token);
    }
    let principal: Principal;
    try {
      const { payload } = await jwtVerify(token, this.localKeys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['exp', 'iat', 'sub'],
        // With maxTokenAge jose also refuses an iat in the future (beyond the tolerance).
        maxTokenAge: ACCESS_TOKEN_TTL_S,
        clockTolerance: CLOCK_SKEW_S,
      });
      // No token this API issues lives longer than its TTL, whatever its signer wrote.
      if (payload.exp! - payload.iat! > ACCESS_TOKEN_TTL_S) throw new DomainError('unauthorized', 'the access token lives longer than this API issues them');
      principal = principalOf(payload);
      this.verified.remember(token, principal, payload.exp!);
    } catch (err) {
      throw err instanceof DomainError ? err : unauthorized(err);
    }
    return this.withActiveOrganization(principal);
  }

  /** A browser session's principal, by its cookie's value; an organisation must still be active. */
  async verifySession(sessionId: string): Promise<BrowserSession> {
    const session = await this.options.sessions?.resolve(sessionId);
    if (!session) throw new DomainError('unauthorized', 'the session has ended or expired; sign in again');
    return { ...session, principal: await this.withActiveOrganization(session.principal) };
  }

  /** A suspension takes effect on an organisation's next request, cached token or not. */
  private async withActiveOrganization(principal: Principal): Promise<Principal> {
    if (principal.role !== 'organization' || !this.options.activeOrganization) return principal;
    // A database outage while loading the organisation is not a bad token: it propagates, and is answered 503.
    const organization = await this.options.activeOrganization(principal.organizationId ?? '');
    if (!organization) throw new DomainError('forbidden', 'the organisation is suspended');
    return { ...principal, organization };
  }

  private async verifyCitizen(token: string): Promise<Principal> {
    try {
      // OpenID Connect requires iat in an ID token; one issued in the future (past the skew) or over a day ago is refused.
      const { payload } = await jwtVerify(token, this.citizenKeys!, {
        issuer: this.options.citizenOidc!.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'iat'],
        maxTokenAge: '1 day',
        clockTolerance: CLOCK_SKEW_S,
      });
      const nationalId = typeof payload.national_id === 'string' ? payload.national_id : undefined;
      if (!nationalId) throw new DomainError('unauthorized', 'the identity token carries no national_id claim');
      const principal: Principal = { role: 'citizen', nationalId, subject: citizenSubject(nationalId) };
      this.verified.remember(token, principal, payload.exp!);
      return principal;
    } catch (err) {
      throw err instanceof DomainError ? err : unauthorized(err);
    }
  }
}

function principalOf(payload: JWTPayload): Principal {
  const role = payload.role;
  if (role !== 'citizen' && role !== 'operator' && role !== 'auditor' && role !== 'organization') {
    throw new DomainError('unauthorized', 'the token carries no known role');
  }
  return {
    role,
    subject: payload.sub ?? '',
    ...(typeof payload.nid === 'string' ? { nationalId: payload.nid } : {}),
    ...(typeof payload.org === 'string' ? { organizationId: payload.org } : {}),
  };
}

/** A stable, non-reversible handle for a citizen in tokens and logs (never the national id itself). */
export function citizenSubject(nationalId: string): string {
  return 'citizen:' + createHmac('sha256', 'citizen-vault/token-subject').update(nationalId).digest('base64url').slice(0, 22);
}

function unauthorized(err: unknown): DomainError {
  if (err instanceof errors.JWTExpired) return new DomainError('unauthorized', 'the access token has expired');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new DomainError('unauthorized', 'the access token signature does not verify');
  if (err instanceof errors.JWTClaimValidationFailed) return new DomainError('unauthorized', `the access token's ${err.claim} claim is not accepted`);
  if (err instanceof errors.JOSEAlgNotAllowed) return new DomainError('unauthorized', 'the access token uses an algorithm that is not allowed');
  return new DomainError('unauthorized', 'the access token is not valid');
}
