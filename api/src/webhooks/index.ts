/**
 * Webhooks: consent notifications for consumer organisations, through a durable outbox. The public
 * surface of the capability — other folders import from here only.
 */
import type { Sql } from '../infra/database.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { WebhookStore } from './ports.js';
import { PgWebhookStore } from './pg-webhook-store.js';
import { httpDelivery, type Deliver } from './webhook-delivery.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookService } from './webhook-service.js';

export type { DeliveryRow, DeliveryStatus, DueDelivery, EndpointRow, NewDelivery, WebhookStore } from './ports.js';
export type { Deliver } from './webhook-delivery.js';
export { WebhookService } from './webhook-service.js';
export { WebhookDispatcher } from './webhook-dispatcher.js';
export { MemoryWebhookStore } from './memory-webhook-store.js';
export { webhookRoutes } from './webhook-routes.js';
export { signWebhook, verifyWebhook } from './webhook-signature.js';

/** What sends a notification: organisations' events go out through it (the consent service uses this). */
export interface WebhookNotifier {
  notify(organizationId: string, eventType: string, data: Record<string, unknown>): Promise<void>;
}

export interface WebhookOptions {
  kek: Uint8Array;
  /** Allow plain http:// to loopback (development); production endpoints must be https. */
  allowLoopbackHttp: boolean;
  /** First retry delay; each further one doubles, with jitter. */
  retryBaseMs: number;
  maxAttempts: number;
  log(message: string, fields: Record<string, unknown>): void;
  /** How often the dispatcher looks at the outbox when nobody wakes it (1 s). */
  intervalMs?: number;
}

/** The capability assembled: the service the routes and the consent service use, and the dispatcher the composition root runs as a worker. */
export interface Webhooks {
  service: WebhookService;
  dispatcher: WebhookDispatcher;
}

export function pgWebhookStore(sql: Sql): WebhookStore {
  return new PgWebhookStore(sql);
}

export function createWebhooks(deps: { store: WebhookStore; options: WebhookOptions; deliver?: Deliver; clock?: Clock; random?: () => number }): Webhooks {
  const clock = deps.clock ?? systemClock;
  const { kek, allowLoopbackHttp, retryBaseMs, maxAttempts, log, intervalMs } = deps.options;
  const dispatcher = new WebhookDispatcher(
    deps.store,
    deps.deliver ?? httpDelivery(allowLoopbackHttp),
    { kek, retryBaseMs, maxAttempts, log, ...(intervalMs ? { intervalMs } : {}) },
    clock,
    deps.random,
  );
  const service = new WebhookService(deps.store, { kek, allowLoopbackHttp }, () => dispatcher.wake(), clock);
  return { service, dispatcher };
}
