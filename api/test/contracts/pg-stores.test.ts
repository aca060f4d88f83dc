import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { pgExchangeStores } from '../../src/exchange/index.js';
import { pgOrganizationStore } from '../../src/organizations/index.js';
import { pgWebhookStore } from '../../src/webhooks/index.js';
import { pgRightsRequestStore } from '../../src/rights/index.js';
import { startMigratedPostgres, type MigratedPostgres } from '../support/postgres-only.js';
import { exchangeStoresContract } from '../exchange/exchange-stores.contract.js';
import { organizationStoreContract } from '../organizations/organization-store.contract.js';
import { webhookStoreContract } from '../webhooks/webhook-store.contract.js';
import { rightsRequestStoreContract } from '../rights/rights-request-store.contract.js';

// The Postgres adapters against the contracts their in-memory twins pass (memory-stores.test.ts):
// only embedded Postgres with the migrations, no devnet and no API.
let pg: MigratedPostgres;
beforeAll(async () => {
  pg = await startMigratedPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.close();
});

/** Every test starts from empty tables, as each in-memory twin starts empty. */
async function empty(): Promise<void> {
  await pg.sql`truncate organizations, client_assertion_jtis, webhook_endpoints, webhook_deliveries, products, licences, licence_usage, metering_events, statements, statistics_profiles, statistics_cube, subjects cascade`;
}

organizationStoreContract('Postgres', async () => {
  await empty();
  return pgOrganizationStore(pg.sql);
});
webhookStoreContract('Postgres', async () => {
  await empty();
  return { store: pgWebhookStore(pg.sql), organizations: pgOrganizationStore(pg.sql) };
});
exchangeStoresContract('Postgres', async () => {
  await empty();
  return {
    stores: pgExchangeStores(pg.sql),
    organizations: pgOrganizationStore(pg.sql),
    addSubject: async () => {
      const id = randomUUID();
      await pg.sql`insert into subjects (id, national_id_index) values (${id}, ${randomBytes(32)})`;
      return id;
    },
  };
});
// Requests of random subjects: the contract needs no empty tables.
rightsRequestStoreContract('Postgres', async () => pgRightsRequestStore(pg.sql));
