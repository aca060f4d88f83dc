import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { CryptoKey } from 'jose' with { 'resolution-mode': 'import' };
import { AuthenticationError, CitizenVaultError, ConnectionError, errorFromProblem } from './errors.js';

export interface HttpOptions {
  baseUrl: string;
  /** How the client proves who it is: an organisation's key (client credentials), or a token the caller already holds (staff). */
  credentials:
    | { kind: 'organization'; organizationId: string; signingKey: CryptoKey; signingKid: string | undefined }
    | { kind: 'token'; getToken: () => string | Promise<string> };
  /** Per attempt, in milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, 429 and 5xx only. */
  maxRetries: number;
  /** The token endpoint URL as the API names itself (the assertion's audience); defaults to baseUrl + /oauth/token. */
  tokenAudience?: string;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** `application/jose` to get the compact JWE of consented data. */
  accept?: string;
  /** Overrides the automatic one on POST; on a GET that bills (an exchange read), keeps its retries from billing twice. */
  idempotencyKey?: string;
}

/**
 * The one request sender every resource uses: organisation tokens obtained and renewed with a
 * private_key_jwt assertion, a timeout per attempt, jittered exponential retries on network errors,
 * 429 and 5xx (the same Idempotency-Key on every retry of a POST, so nothing happens twice), request
 * ids, and typed errors from problem+json codes.
 */
export class HttpClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(private readonly options: HttpOptions) {}

  async request<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions = {}): Promise<{ body: T; raw: string; requestId: string | undefined }> {
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.endsWith('/') ? this.options.baseUrl : this.options.baseUrl + '/');
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const idempotencyKey = method === 'POST' ? (opts.idempotencyKey ?? randomUUID()) : opts.idempotencyKey;
    const requestId = randomUUID();
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.options.fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${await this.accessToken()}`,
            accept: opts.accept ?? 'application/json',
            'x-request-id': requestId,
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (err) {
        if (err instanceof CitizenVaultError && !(err instanceof ConnectionError)) throw err;
        if (attempt < this.options.maxRetries) {
          await this.backoff(attempt);
          continue;
        }
        throw err instanceof ConnectionError
          ? err
          : new ConnectionError(`could not reach ${url.origin}: ${(err as Error).message}`, 'connection_failed', undefined, requestId);
      }
      const raw = await res.text();
      const answeredId = res.headers.get('x-request-id') ?? requestId;
      if (res.ok) return { body: (raw && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(raw) : raw) as T, raw, requestId: answeredId };
      if (res.status === 401 && !renewed) {
        // The token may have been revoked or the key rotated: get a new one and try once more.
        renewed = true;
        this.token = undefined;
        attempt--;
        continue;
      }
      let problem: Record<string, unknown> = {};
      try {
        problem = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // not problem+json
      }
      // A spent licence quota does not come back by waiting a few seconds. A key still in use means
      // an earlier attempt of this very request is running (its answer was lost, or it timed out
      // here): waiting gets its answer, so it must never surface as a failure while retries remain.
      const retriable = (res.status === 429 && problem.code !== 'quota_exceeded') || res.status >= 500 || problem.code === 'idempotency_key_in_use';
      if (retriable && attempt < this.options.maxRetries) {
        await this.backoff(attempt, res.headers.get('retry-after'));
        continue;
      }
      throw errorFromProblem(res.status, problem, answeredId);
    }
  }

  /** The current token: the caller's own, or the organisation's, renewed a minute before it expires. */
  private async accessToken(): Promise<string> {
    if (this.options.credentials.kind === 'token') return this.options.credentials.getToken();
    if (this.token && this.token.expiresAt - 60_000 > Date.now()) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const credentials = this.options.credentials;
    if (credentials.kind !== 'organization') throw new Error('unreachable: staff tokens are not fetched');
    const endpoint = new URL('oauth/token', this.options.baseUrl.endsWith('/') ? this.options.baseUrl : this.options.baseUrl + '/');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', ...(credentials.signingKid ? { kid: credentials.signingKid } : {}) })
      .setIssuer(credentials.organizationId)
      .setSubject(credentials.organizationId)
      .setAudience(this.options.tokenAudience ?? endpoint.toString())
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(randomUUID())
      .sign(credentials.signingKey);
    let res: Response;
    try {
      res = await this.options.fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new ConnectionError(`could not reach ${endpoint.origin}: ${(err as Error).message}`, 'connection_failed', undefined, undefined);
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string; code?: string };
    if (!res.ok || !body.access_token) {
      throw new AuthenticationError(
        body.error_description ?? `token request failed with HTTP ${res.status}`,
        body.code ?? 'unauthorized',
        res.status,
        res.headers.get('x-request-id') ?? undefined,
      );
    }
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 };
    return body.access_token;
  }

  private async backoff(attempt: number, retryAfter?: string | null): Promise<void> {
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    const base = Number.isFinite(seconds) ? seconds * 1000 : Math.min(8_000, 250 * 2 ** attempt);
    await this.options.sleep(base * (0.5 + Math.random()));
  }
}
