import type { HttpClient } from '../http.js';

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

/** Where the vault tells you of consent changes, and how its deliveries went. */
export class WebhookEndpoints {
  constructor(private readonly http: HttpClient) {}

  /**
   * Registers an https endpoint. The signing secret is returned once: keep it to verify deliveries.
   *
   * @example
   * const { secret } = await vault.webhooks.register('https://example.vn/hooks/citizen-vault');
   */
  async register(url: string): Promise<{ id: string; url: string; secret: string }> {
    return (await this.http.request<{ id: string; url: string; secret: string }>('POST', '/v1/webhooks', { body: { url } })).body;
  }

  /**
   * Recent deliveries with their status, attempts and last error.
   *
   * @example
   * const failed = (await vault.webhooks.deliveries()).filter((d) => d.status === 'FAILED');
   */
  async deliveries(): Promise<WebhookDelivery[]> {
    return (await this.http.request<{ items: WebhookDelivery[] }>('GET', '/v1/webhooks/deliveries')).body.items;
  }
}
