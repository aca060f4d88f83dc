import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationStore } from '../../src/organizations/index.js';
import type { WebhookStore } from '../../src/webhooks/index.js';
import { addOrganization } from '../support/fixtures.js';

/** What every webhook outbox must do: run against the Postgres outbox and its in-memory twin. `fresh` answers empty stores. */
export function webhookStoreContract(name: string, fresh: () => Promise<{ store: WebhookStore; organizations: OrganizationStore }>): void {
  describe(`webhook store contract: ${name}`, () => {
    let store: WebhookStore;
    let orgId: string;
    let endpointId: string;
    const secret = Buffer.from('sealed secret bytes');

    const enqueue = async (eventType = 'consent.approved') => {
      const id = randomUUID();
      await store.enqueue([{ id, endpointId, eventType, payload: { id, type: eventType, data: { consentId: 'c-1', nested: { b: 1, a: [2, 3] } } } }]);
      return id;
    };

    beforeEach(async () => {
      const stores = await fresh();
      store = stores.store;
      orgId = (await addOrganization(stores.organizations, ['consumer'])).id;
      endpointId = randomUUID();
      await store.insertEndpoint({ id: endpointId, organizationId: orgId, url: 'https://hooks.example/a', sealedSecret: secret });
    });

    it("keeps each organisation's endpoints apart, oldest first, with their sealed secrets", async () => {
      const second = randomUUID();
      await store.insertEndpoint({ id: second, organizationId: orgId, url: 'https://hooks.example/b', sealedSecret: Buffer.from('other') });
      expect(await store.countEndpoints(orgId)).toBe(2);
      expect(await store.countEndpoints(randomUUID())).toBe(0);
      const endpoints = await store.endpoints(orgId);
      expect(endpoints.map((e) => [e.id, e.url, e.organizationId])).toEqual([
        [endpointId, 'https://hooks.example/a', orgId],
        [second, 'https://hooks.example/b', orgId],
      ]);
      expect(Buffer.compare(endpoints[0]!.sealedSecret, secret)).toBe(0);
      expect(endpoints[0]!.createdAt).toBeInstanceOf(Date);
    });

    it('queues deliveries as PENDING and lists them newest first', async () => {
      const first = await enqueue('consent.approved');
      const second = await enqueue('consent.revoked');
      const listed = await store.deliveries(orgId, 10);
      expect(listed.map((d) => [d.id, d.eventType, d.status, d.attempts, d.lastError, d.deliveredAt])).toEqual([
        [second, 'consent.revoked', 'PENDING', 0, null, null],
        [first, 'consent.approved', 'PENDING', 0, null, null],
      ]);
      expect(await store.deliveries(orgId, 1)).toHaveLength(1);
      expect(await store.deliveries(randomUUID(), 10)).toEqual([]);
    });

    it('claims due deliveries with what an attempt needs, and hides them for the lease', async () => {
      const id = await enqueue();
      const [claimed, ...rest] = await store.claimDue(20, 60_000);
      expect(rest).toEqual([]);
      expect(claimed).toMatchObject({
        id,
        endpointId,
        attempts: 0,
        url: 'https://hooks.example/a',
        payload: { id, type: 'consent.approved', data: { consentId: 'c-1', nested: { b: 1, a: [2, 3] } } },
      });
      expect(Buffer.compare(claimed!.sealedSecret, secret)).toBe(0);
      expect(await store.claimDue(20, 60_000)).toEqual([]);
    });

    it('claims no more than asked, and a claim without a lease is due again at once', async () => {
      await enqueue();
      await enqueue();
      await enqueue();
      expect(await store.claimDue(2, 0)).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 5));
      expect(await store.claimDue(20, 0)).toHaveLength(3);
    });

    it('never claims a delivered or a failed delivery again', async () => {
      const delivered = await enqueue();
      const failed = await enqueue();
      await store.markDelivered(delivered, 1);
      await store.markFailed(failed, 8, 'delivery failed');
      await new Promise((r) => setTimeout(r, 5));
      expect(await store.claimDue(20, 0)).toEqual([]);
      const byId = new Map((await store.deliveries(orgId, 10)).map((d) => [d.id, d]));
      expect(byId.get(delivered)).toMatchObject({ status: 'DELIVERED', attempts: 1, lastError: null });
      expect(byId.get(delivered)!.deliveredAt).toBeInstanceOf(Date);
      expect(byId.get(failed)).toMatchObject({ status: 'FAILED', attempts: 8, lastError: 'delivery failed', deliveredAt: null });
    });

    it('records a failed attempt and makes the delivery due again after the delay', async () => {
      const soon = await enqueue();
      const later = await enqueue();
      await store.claimDue(20, 60_000);
      await store.scheduleRetry(soon, 1, 'delivery failed', 0);
      await store.scheduleRetry(later, 1, 'delivery failed', 60_000);
      await new Promise((r) => setTimeout(r, 5));
      const due = await store.claimDue(20, 60_000);
      expect(due.map((d) => [d.id, d.attempts])).toEqual([[soon, 1]]);
      const listed = (await store.deliveries(orgId, 10)).find((d) => d.id === later)!;
      expect(listed).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'delivery failed' });
      expect(listed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    });
  });
}
