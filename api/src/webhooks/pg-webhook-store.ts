import type { Sql } from '../infra/database.js';
import type { DeliveryRow, DueDelivery, EndpointRow, NewDelivery, WebhookStore } from './ports.js';

/** The outbox in Postgres: several API instances share it safely (`for update skip locked`), and due times follow the database's clock. */
export class PgWebhookStore implements WebhookStore {
  constructor(private readonly sql: Sql) {}

  async countEndpoints(organizationId: string): Promise<number> {
    const [count] = await this.sql<{ n: number }[]>`select count(*)::int as n from webhook_endpoints where organization_id = ${organizationId}`;
    return count?.n ?? 0;
  }

  async insertEndpoint(e: { id: string; organizationId: string; url: string; sealedSecret: Buffer }): Promise<void> {
    await this.sql`insert into webhook_endpoints (id, organization_id, url, sealed_secret) values (${e.id}, ${e.organizationId}, ${e.url}, ${e.sealedSecret})`;
  }

  async endpoints(organizationId: string): Promise<EndpointRow[]> {
    const rows = await this.sql<{ id: string; organization_id: string; url: string; sealed_secret: Buffer; created_at: Date }[]>`
      select id, organization_id, url, sealed_secret, created_at from webhook_endpoints where organization_id = ${organizationId} order by created_at`;
    return rows.map((r) => ({ id: r.id, organizationId: r.organization_id, url: r.url, sealedSecret: r.sealed_secret, createdAt: r.created_at }));
  }

  async deliveries(organizationId: string, limit: number): Promise<DeliveryRow[]> {
    const rows = await this.sql<
      {
        id: string;
        endpoint_id: string;
        event_type: string;
        status: DeliveryRow['status'];
        attempts: number;
        last_error: string | null;
        created_at: Date;
        delivered_at: Date | null;
        next_attempt_at: Date;
      }[]
    >`
      select d.* from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
      where e.organization_id = ${organizationId} order by d.created_at desc limit ${limit}`;
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
      nextAttemptAt: r.next_attempt_at,
    }));
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this
      .sql`insert into webhook_deliveries ${this.sql(deliveries.map((d) => ({ id: d.id, endpoint_id: d.endpointId, event_type: d.eventType, payload: this.sql.json(d.payload as never), status: 'PENDING' })))}`;
  }

  async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
    // Claim a batch under a lease (no transaction held while calling out).
    const rows = await this.sql<{ id: string; endpoint_id: string; payload: unknown; attempts: number; url: string; sealed_secret: Buffer }[]>`
      with claimed as (
        update webhook_deliveries set next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval
        where id in (select id from webhook_deliveries where status = 'PENDING' and next_attempt_at <= now()
                     order by next_attempt_at limit ${limit} for update skip locked)
        returning id, endpoint_id, payload, attempts)
      select c.id, c.endpoint_id, c.payload, c.attempts, e.url, e.sealed_secret
      from claimed c join webhook_endpoints e on e.id = c.endpoint_id`;
    return rows.map((r) => ({ id: r.id, endpointId: r.endpoint_id, payload: r.payload, attempts: r.attempts, url: r.url, sealedSecret: r.sealed_secret }));
  }

  async markDelivered(id: string, attempts: number): Promise<void> {
    await this.sql`update webhook_deliveries set status = 'DELIVERED', attempts = ${attempts}, delivered_at = now(), last_error = null where id = ${id}`;
  }

  async markFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.sql`update webhook_deliveries set status = 'FAILED', attempts = ${attempts}, last_error = ${error} where id = ${id}`;
  }

  async scheduleRetry(id: string, attempts: number, error: string, delayMs: number): Promise<void> {
    await this
      .sql`update webhook_deliveries set attempts = ${attempts}, last_error = ${error}, next_attempt_at = now() + ${`${Math.round(delayMs)} milliseconds`}::interval where id = ${id}`;
  }
}
