/** A webhook endpoint as kept: its signing secret sealed with the KEK. */
export interface EndpointRow {
  id: string;
  organizationId: string;
  url: string;
  sealedSecret: Buffer;
  createdAt: Date;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface DeliveryRow {
  id: string;
  endpointId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

/** A delivery claimed for an attempt, with what the attempt needs. */
export interface DueDelivery {
  id: string;
  endpointId: string;
  payload: unknown;
  attempts: number;
  url: string;
  sealedSecret: Buffer;
}

export interface NewDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/** The endpoints and the durable outbox of deliveries. */
export interface WebhookStore {
  countEndpoints(organizationId: string): Promise<number>;
  insertEndpoint(e: { id: string; organizationId: string; url: string; sealedSecret: Buffer }): Promise<void>;
  /** An organisation's endpoints, oldest first. */
  endpoints(organizationId: string): Promise<EndpointRow[]>;
  /** An organisation's latest deliveries, newest first. */
  deliveries(organizationId: string, limit: number): Promise<DeliveryRow[]>;
  /** Queues deliveries, PENDING and due at once. */
  enqueue(deliveries: readonly NewDelivery[]): Promise<void>;
  /**
   * Claims up to `limit` due deliveries, oldest due first, under a lease: a claimed delivery is not
   * due again for `leaseMs`, so several dispatchers sharing the outbox never attempt it twice at once.
   */
  claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]>;
  markDelivered(id: string, attempts: number): Promise<void>;
  markFailed(id: string, attempts: number, error: string): Promise<void>;
  /** Records a failed attempt and when to try again. */
  scheduleRetry(id: string, attempts: number, error: string, delayMs: number): Promise<void>;
}
