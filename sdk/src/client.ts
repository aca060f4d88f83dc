import { HttpClient } from './http.js';
import { importPrivateKey, type PrivateKeyInput } from './keys.js';
import { Consents } from './resources/consents.js';
import { Deletions } from './resources/deletions.js';
import { Exchange, ExchangeReview } from './resources/exchange.js';
import { Organizations } from './resources/organizations.js';
import { Records } from './resources/records.js';
import { RectificationTasks } from './resources/rectification-tasks.js';
import { WebhookEndpoints } from './resources/webhook-endpoints.js';

/**
 * Proves a constructor call came from the class's own `create`: from JavaScript, `new` would
 * otherwise build a client without its keys that fails only at its first request.
 */
const FROM_CREATE = Symbol('CitizenVault.create');

export interface CitizenVaultOptions {
  /** The API's URL, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** Your organisation's id, as the operator registered it. */
  organizationId: string;
  /** Your ES256 signing key (JWK or PKCS#8 PEM), for client assertions. */
  signingKey: PrivateKeyInput;
  /** Your X25519 encryption key (JWK or PKCS#8 PEM), to open the data sent to you. */
  encryptionKey: PrivateKeyInput;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Retries on network errors, 429 and 5xx (default 2). */
  maxRetries?: number;
  /** The token endpoint's audience when the API names itself differently from baseUrl (behind a proxy). */
  tokenAudience?: string;
  fetch?: typeof fetch;
}

/**
 * The Citizen Vault client for enterprises and start-ups.
 *
 * @example
 * const vault = await CitizenVault.create({ baseUrl: 'http://localhost:8080', organizationId, signingKey, encryptionKey });
 * const consent = await vault.consents.request({ nationalId: '000000000101', purpose: 'credit_scoring',
 *   fields: ['residence.province'], mode: 'ONCE', validUntil: '2027-01-01T00:00:00Z', retentionDays: 30, justification: 'Loan 42' });
 */
export class CitizenVault {
  readonly consents: Consents;
  readonly records: Records;
  readonly webhooks: WebhookEndpoints;
  readonly exchange: Exchange;
  /** Citizens' requests to correct records you deposited (custodians). */
  readonly rectificationTasks: RectificationTasks;
  /** Deletion deadlines of your reads, and your confirmations. */
  readonly deletions: Deletions;

  private constructor(
    token: typeof FROM_CREATE,
    http: HttpClient,
    baseUrl: string,
    decryptionKey: Awaited<ReturnType<typeof importPrivateKey>>['key'],
    sleep: (ms: number) => Promise<void>,
  ) {
    // Importing the keys (WebCrypto) is asynchronous, and a constructor cannot wait for it.
    if (token !== FROM_CREATE)
      throw new TypeError('CitizenVault cannot be built with `new`: importing its keys is asynchronous. Use `await CitizenVault.create(options)`.');
    this.consents = new Consents(http, baseUrl, decryptionKey, sleep);
    this.records = new Records(http);
    this.webhooks = new WebhookEndpoints(http);
    this.exchange = new Exchange(http);
    this.rectificationTasks = new RectificationTasks(http);
    this.deletions = new Deletions(http);
  }

  /**
   * Creates a client: imports the keys; tokens are obtained and renewed on demand.
   *
   * @example
   * const vault = await CitizenVault.create({ baseUrl, organizationId, signingKey, encryptionKey });
   */
  static async create(options: CitizenVaultOptions): Promise<CitizenVault> {
    const signing = await importPrivateKey(options.signingKey, 'ES256');
    const encryption = await importPrivateKey(options.encryptionKey, 'ECDH-ES');
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const http = new HttpClient({
      baseUrl: options.baseUrl,
      credentials: { kind: 'organization', organizationId: options.organizationId, signingKey: signing.key, signingKid: signing.kid },
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 2,
      ...(options.tokenAudience ? { tokenAudience: options.tokenAudience } : {}),
      fetch: options.fetch ?? globalThis.fetch,
      sleep,
    });
    return new CitizenVault(FROM_CREATE, http, options.baseUrl, encryption.key, sleep);
  }
}

export interface StaffClientOptions {
  baseUrl: string;
  /** The operator's (or auditor's) access token, or a function that returns a fresh one. */
  token: string | (() => string | Promise<string>);
  timeoutMs?: number;
  maxRetries?: number;
  fetch?: typeof fetch;
}

/**
 * The client for the exchange operator's staff, with a token from their identity provider.
 *
 * @example
 * const operator = CitizenVaultStaff.create({ baseUrl: 'http://localhost:8080', token: operatorToken });
 * await operator.organizations.suspend(orgId);
 */
export class CitizenVaultStaff {
  readonly organizations: Organizations;
  readonly exchange: ExchangeReview;

  private constructor(token: typeof FROM_CREATE, http: HttpClient) {
    if (token !== FROM_CREATE) throw new TypeError('CitizenVaultStaff cannot be built with `new`. Use `CitizenVaultStaff.create(options)`.');
    this.organizations = new Organizations(http);
    this.exchange = new ExchangeReview(http);
  }

  /**
   * @example
   * const operator = CitizenVaultStaff.create({ baseUrl, token: () => idp.currentToken() });
   */
  static create(options: StaffClientOptions): CitizenVaultStaff {
    const token = options.token;
    return new CitizenVaultStaff(
      FROM_CREATE,
      new HttpClient({
        baseUrl: options.baseUrl,
        credentials: { kind: 'token', getToken: typeof token === 'string' ? () => token : token },
        timeoutMs: options.timeoutMs ?? 10_000,
        maxRetries: options.maxRetries ?? 2,
        fetch: options.fetch ?? globalThis.fetch,
        sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms)),
      }),
    );
  }
}
