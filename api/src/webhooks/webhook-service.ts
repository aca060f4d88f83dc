import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors/index.js';
import { newId } from '../ids.js';
import { seal } from '../infra/aead.js';
import { systemClock, type Clock } from '../infra/clock.js';
import { checkDestination } from './destination.js';
import type { WebhookStore } from './ports.js';

export interface WebhookServiceOptions {
  kek: Uint8Array;
  /** Allow plain http:// to loopback (development); production endpoints must be https. */
  allowLoopbackHttp: boolean;
}

const MAX_ENDPOINTS = 10;
const RECENT_DELIVERIES = 200;
export const secretBinding = (endpointId: string) => `cv:webhook-secret:v1|${endpointId}`;

/**
 * Consent notifications for consumers: an organisation registers endpoints (each with a signing
 * secret shown once and kept sealed), and every event is queued durably in the outbox for each of
 * them; the dispatcher (webhook-dispatcher.ts) delivers it.
 */
export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookServiceOptions,
    /** Tells the dispatcher there is work, so a delivery does not wait for its next round. */
    private readonly queued: () => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {}

  async register(organizationId: string, url: string): Promise<{ id: string; url: string; secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DomainError('invalid_request', 'the webhook url is not a URL', { errors: [{ path: '/url', message: 'not a URL' }] });
    }
    if (parsed.username || parsed.password)
      throw new DomainError('invalid_request', 'webhook urls carry no credentials', { errors: [{ path: '/url', message: 'no user:password' }] });
    await checkDestination(parsed, this.options.allowLoopbackHttp);
    if ((await this.store.countEndpoints(organizationId)) >= MAX_ENDPOINTS)
      throw new DomainError('conflict', `an organisation has at most ${MAX_ENDPOINTS} webhook endpoints`);
    const id = newId();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.store.insertEndpoint({
      id,
      organizationId,
      url: parsed.toString(),
      sealedSecret: seal(this.options.kek, Buffer.from(secret), secretBinding(id)),
    });
    return { id, url: parsed.toString(), secret };
  }

  async endpoints(organizationId: string): Promise<{ id: string; url: string; createdAt: string }[]> {
    return (await this.store.endpoints(organizationId)).map((e) => ({ id: e.id, url: e.url, createdAt: e.createdAt.toISOString() }));
  }

  async deliveries(organizationId: string): Promise<unknown[]> {
    return (await this.store.deliveries(organizationId, RECENT_DELIVERIES)).map((r) => ({
      id: r.id,
      endpointId: r.endpointId,
      eventType: r.eventType,
      status: r.status,
      attempts: r.attempts,
      lastError: r.lastError,
      createdAt: r.createdAt.toISOString(),
      deliveredAt: r.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: r.status === 'PENDING' ? r.nextAttemptAt.toISOString() : null,
    }));
  }

  /** Queues an event for every endpoint of the organisation, durably, and wakes the dispatcher. */
  async notify(organizationId: string, eventType: string, data: Record<string, unknown>): Promise<void> {
    const endpoints = await this.store.endpoints(organizationId);
    if (endpoints.length === 0) return;
    const at = this.clock.now().toISOString();
    await this.store.enqueue(
      endpoints.map((e) => {
        const id = newId();
        return { id, endpointId: e.id, eventType, payload: { id, type: eventType, createdAt: at, data } };
      }),
    );
    this.queued();
  }
}
