import { randomUUID } from 'node:crypto';
import { memoryExchangeStores } from '../../src/exchange/index.js';
import { MemoryOrganizationStore } from '../../src/organizations/index.js';
import { MemoryWebhookStore } from '../../src/webhooks/index.js';
import { MemoryRightsRequests } from '../../src/rights/index.js';
import { exchangeStoresContract } from '../exchange/exchange-stores.contract.js';
import { organizationStoreContract } from '../organizations/organization-store.contract.js';
import { webhookStoreContract } from '../webhooks/webhook-store.contract.js';
import { rightsRequestStoreContract } from '../rights/rights-request-store.contract.js';

// The in-memory twins the unit tests stand on, held to the same contracts as the Postgres adapters (pg-stores.test.ts).
organizationStoreContract('in memory', async () => new MemoryOrganizationStore());
webhookStoreContract('in memory', async () => ({ store: new MemoryWebhookStore(), organizations: new MemoryOrganizationStore() }));
exchangeStoresContract('in memory', async () => {
  const organizations = new MemoryOrganizationStore();
  return { stores: memoryExchangeStores(organizations), organizations, addSubject: async () => randomUUID() };
});
rightsRequestStoreContract('in memory', async () => new MemoryRightsRequests());
