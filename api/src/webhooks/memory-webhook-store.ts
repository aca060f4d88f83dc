import { systemClock, type Clock } from '../infra/clock.js';
import type { DeliveryRow, DueDelivery, EndpointRow, NewDelivery, WebhookStore } from './ports.js';

interface Delivery extends DeliveryRow {
  payload: unknown;
}

/** The outbox in memory, for unit tests of the service and the dispatcher; due times follow the injected clock. */
export class MemoryWebhookStore implements WebhookStore {
  private readonly endpointRows: EndpointRow[] = [];
  private readonly deliveryRows: Delivery[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async countEndpoints(organizationId: string): Promise<number> {
    return this.endpointRows.filter((e) => e.organizationId === organizationId).length;
  }

  async insertEndpoint(e: { id: string; organizationId: string; url: string; sealedSecret: Buffer }): Promise<void> {
    if (this.endpointRows.some((r) => r.id === e.id)) throw new Error(`duplicate endpoint id ${e.id}`);
    this.endpointRows.push({ ...e, sealedSecret: Buffer.from(e.sealedSecret), createdAt: this.clock.now() });
  }

  async endpoints(organizationId: string): Promise<EndpointRow[]> {
    return this.endpointRows.filter((e) => e.organizationId === organizationId).map((e) => ({ ...e }));
  }

  async deliveries(organizationId: string, limit: number): Promise<DeliveryRow[]> {
    const mine = new Set(this.endpointRows.filter((e) => e.organizationId === organizationId).map((e) => e.id));
    return this.deliveryRows
      .filter((d) => mine.has(d.endpointId))
      .reverse() // newest first; rows are kept in the order they were queued
      .slice(0, limit)
      .map(({ payload: _payload, ...row }) => ({ ...row }));
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    const now = this.clock.now();
    for (const d of deliveries) {
      if (!this.endpointRows.some((e) => e.id === d.endpointId)) throw new Error(`no endpoint ${d.endpointId}`);
    }
    for (const d of deliveries) {
      this.deliveryRows.push({
        id: d.id,
        endpointId: d.endpointId,
        eventType: d.eventType,
        payload: structuredClone(d.payload),
        status: 'PENDING',
        attempts: 0,
        lastError: null,
        createdAt: now,
        deliveredAt: null,
        nextAttemptAt: now,
      });
    }
  }

  async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
    const now = this.clock.now();
    const due = this.deliveryRows
      .filter((d) => d.status === 'PENDING' && d.nextAttemptAt.getTime() <= now.getTime())
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit);
    return due.map((d) => {
      d.nextAttemptAt = new Date(now.getTime() + leaseMs);
      const endpoint = this.endpointRows.find((e) => e.id === d.endpointId)!;
      return {
        id: d.id,
        endpointId: d.endpointId,
        payload: structuredClone(d.payload),
        attempts: d.attempts,
        url: endpoint.url,
        sealedSecret: Buffer.from(endpoint.sealedSecret),
      };
    });
  }

  async markDelivered(id: string, attempts: number): Promise<void> {
    this.update(id, { status: 'DELIVERED', attempts, deliveredAt: this.clock.now(), lastError: null });
  }

  async markFailed(id: string, attempts: number, error: string): Promise<void> {
    this.update(id, { status: 'FAILED', attempts, lastError: error });
  }

  async scheduleRetry(id: string, attempts: number, error: string, delayMs: number): Promise<void> {
    this.update(id, { attempts, lastError: error, nextAttemptAt: new Date(this.clock.now().getTime() + Math.round(delayMs)) });
  }

  private update(id: string, change: Partial<Delivery>): void {
    const row = this.deliveryRows.find((d) => d.id === id);
    if (row) Object.assign(row, change);
  }
}
