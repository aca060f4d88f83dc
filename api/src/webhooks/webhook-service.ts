import { randomBytes } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Sql } from '../infra/database.js';
import { DomainError } from '../errors/index.js';
import { newId } from '../ids.js';
import { open, seal } from '../infra/aead.js';
import { checkDestination, connectedAddressAllowed, pinnedLookup } from './destination.js';
import { signWebhook } from './webhook-signature.js';

export interface WebhookOptions {
  kek: Uint8Array;
  /** Allow plain http:// to loopback (development); production endpoints must be https. */
  allowLoopbackHttp: boolean;
  /** First retry delay; each further one doubles, with jitter. */
  retryBaseMs: number;
  maxAttempts: number;
  log(message: string, fields: Record<string, unknown>): void;
}

const DELIVERY_TIMEOUT_MS = 5_000;
const MAX_ENDPOINTS = 10;
/** How long a claimed delivery stays invisible to other dispatchers while it is being attempted. */
const LEASE = '30 seconds';
const secretBinding = (endpointId: string) => `cv:webhook-secret:v1|${endpointId}`;

/**
 * Consent notifications for consumers: an outbox in Postgres, a dispatcher that signs each delivery
 * (HMAC, timestamped), retries with exponential back-off and jitter, and records every attempt.
 * Several API instances share the outbox safely (`for update skip locked`).
 */
export class WebhookService {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly sql: Sql, private readonly options: WebhookOptions) {}

  async register(organizationId: string, url: string): Promise<{ id: string; url: string; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DomainError('invalid_request', 'the webhook url is not a URL', { errors: [{ path: '/url', message: 'not a URL' }] });
    }
    if (parsed.username || parsed.password) throw new DomainError('invalid_request', 'webhook urls carry no credentials', { errors: [{ path: '/url', message: 'no user:password' }] });
    await checkDestination(parsed, this.options.allowLoopbackHttp);
    const [count] = await this.sql<{ n: number }[]>`select count(*)::int as n from webhook_endpoints where organization_id = ${organizationId}`;
    if ((count?.n ?? 0) >= MAX_ENDPOINTS) throw new DomainError('conflict', `an organisation has at most ${MAX_ENDPOINTS} webhook endpoints`);
    const id = newId();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.sql`insert into webhook_endpoints (id, organization_id, url, sealed_secret) values (${id}, ${organizationId}, ${parsed.toString()}, ${seal(this.options.kek, Buffer.from(secret), secretBinding(id))})`;
    return { id, url: parsed.toString(), secret };
  }

  async endpoints(organizationId: string): Promise<{ id: string; url: string; createdAt: string }[]> {
    const rows = await this.sql<{ id: string; url: string; created_at: Date }[]>`select id, url, created_at from webhook_endpoints where organization_id = ${organizationId} order by created_at`;
    return rows.map((r) => ({ id: r.id, url: r.url, createdAt: r.created_at.toISOString() }));
  }

  async deliveries(organizationId: string): Promise<unknown[]> {
    const rows = await this.sql<{ id: string; endpoint_id: string; event_type: string; status: string; attempts: number; last_error: string | null; created_at: Date; delivered_at: Date | null; next_attempt_at: Date }[]>`
      select d.* from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where e.organization_id = ${organizationId} order by d.created_at desc limit 200`;
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      nextAttemptAt: r.status === 'PENDING' ? r.next_attempt_at.toISOString() : null,
    }));
  }

  /** Queues an event for every endpoint of the organisation, durably, and wakes the dispatcher. */
  async notify(organizationId: string, eventType: string, data: Record<string, unknown>): Promise<void> {
    const endpoints = await this.sql<{ id: string }[]>`select id from webhook_endpoints where organization_id = ${organizationId}`;
    if (endpoints.length === 0) return;
    const at = new Date().toISOString();
    const rows = endpoints.map((e) => {
      const id = newId();
      return { id, endpoint_id: e.id, event_type: eventType, payload: { id, type: eventType, createdAt: at, data }, status: 'PENDING' };
    });
    await this.sql`insert into webhook_deliveries ${this.sql(rows.map((r) => ({ ...r, payload: this.sql.json(r.payload as never) })))}`;
    this.kick();
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), 1_000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.dispatchDue()
      .catch((err: unknown) => this.options.log('webhook dispatch failed', { error: String(err) }))
      .finally(() => {
        this.running = false;
      });
  }

  private async dispatchDue(): Promise<void> {
    for (;;) {
      // Claim a batch under a lease (no transaction held while calling out), then attempt each.
      const due = await this.sql<{ id: string; endpoint_id: string; payload: unknown; attempts: number; url: string; sealed_secret: Buffer }[]>`
        with claimed as (
          update webhook_deliveries set next_attempt_at = now() + ${LEASE}::interval
          where id in (select id from webhook_deliveries where status = 'PENDING' and next_attempt_at <= now()
                       order by next_attempt_at limit 20 for update skip locked)
          returning id, endpoint_id, payload, attempts)
        select c.id, c.endpoint_id, c.payload, c.attempts, e.url, e.sealed_secret
        from claimed c join webhook_endpoints e on e.id = c.endpoint_id`;
      if (due.length === 0 || this.stopped) return;
      await Promise.all(due.map(async (d) => {
        const error = await this.deliver(d.url, Buffer.from(open(this.options.kek, d.sealed_secret, secretBinding(d.endpoint_id))).toString(), d.id, d.payload);
        const attempts = d.attempts + 1;
        if (!error) {
          await this.sql`update webhook_deliveries set status = 'DELIVERED', attempts = ${attempts}, delivered_at = now(), last_error = null where id = ${d.id}`;
        } else if (attempts >= this.options.maxAttempts) {
          await this.sql`update webhook_deliveries set status = 'FAILED', attempts = ${attempts}, last_error = ${error} where id = ${d.id}`;
        } else {
          const delay = this.options.retryBaseMs * 2 ** (attempts - 1) * (0.75 + Math.random() / 2);
          await this.sql`update webhook_deliveries set attempts = ${attempts}, last_error = ${error}, next_attempt_at = now() + ${`${Math.round(delay)} milliseconds`}::interval where id = ${d.id}`;
        }
      }));
    }
  }

  /**
   * One attempt; answers the error to record, or undefined when the endpoint took it (2xx). The error
   * is only ever "delivery failed": an organisation learns that it failed, never what the network
   * looked like (a refused address, a timeout, a reset), so `lastError` cannot be used to scan ports.
   */
  private async deliver(url: string, secret: string, id: string, payload: unknown): Promise<string | undefined> {
    const body = JSON.stringify(payload);
    try {
      const target = new URL(url);
      await checkDestination(target, this.options.allowLoopbackHttp);
      const status = await post(target, this.options.allowLoopbackHttp, body, {
        'content-type': 'application/json',
        'cv-event-id': id,
        'cv-signature': signWebhook(secret, body, Math.floor(Date.now() / 1000)),
      });
      return status >= 200 && status < 300 ? undefined : 'delivery failed';
    } catch {
      return 'delivery failed';
    }
  }
}

/**
 * POSTs over a fresh connection whose address is pinned to the one the policy checked: the socket's
 * lookup only yields allowed addresses, and the peer is checked again once connected (IP literals
 * skip the lookup). Redirects are not followed. Answers the HTTP status.
 */
function post(url: URL, allowLoopbackHttp: boolean, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: false, lookup: pinnedLookup(url, allowLoopbackHttp), timeout: DELIVERY_TIMEOUT_MS };
    const req: ClientRequest = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        if (!connectedAddressAllowed(url, allowLoopbackHttp, socket.remoteAddress)) req.destroy(new Error('destination refused'));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
