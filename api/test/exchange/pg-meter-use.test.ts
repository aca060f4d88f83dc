import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgExchangeStores } from '../../src/exchange/index.js';
import { pgOrganizationStore } from '../../src/organizations/index.js';
import { addOrganization } from '../support/fixtures.js';
import { startMigratedPostgres, type MigratedPostgres } from '../support/postgres-only.js';
import { licenceRow, productRow } from './exchange-fixtures.js';

// `meter_use` (migration 032) on real Postgres: when a billed use may commit without waiting for its
// own WAL flush (only when the caller answers after the use's leaf is flushed), and never a refusal.
let pg: MigratedPostgres;
let licenceId: string;
beforeAll(async () => {
  pg = await startMigratedPostgres();
  const organizations = pgOrganizationStore(pg.sql);
  const stores = pgExchangeStores(pg.sql);
  const provider = await addOrganization(organizations, ['provider']);
  const buyer = await addOrganization(organizations, ['consumer']);
  const product = productRow(provider.id);
  await stores.products.insertProduct(product);
  const licence = licenceRow(product.id, buyer.id);
  await stores.products.insertLicence(licence);
  licenceId = licence.id;
}, 120_000);
afterAll(async () => {
  await pg?.close();
});

/** Calls `meter_use` in a transaction and answers its outcome and the commit mode the transaction is left with. */
async function meterIn(leafFlushes: boolean, window: { key: string; limit: number }) {
  return pg.sql.begin(async (tx) => {
    const [use] = await tx<{ outcome: string }[]>`
      select outcome from meter_use(${randomUUID()}, ${licenceId}, null, ${randomUUID()}, 'h', '2026-03', 1, 1000, 0, null, null, now(),
                                    ${[window.key]}::text[], ${[window.limit]}::int[], ${leafFlushes})`;
    const [mode] = await tx<{ synchronous_commit: string }[]>`select current_setting('synchronous_commit') as synchronous_commit`;
    return { outcome: use!.outcome, commit: mode!.synchronous_commit };
  });
}

describe('meter_use', () => {
  it("leaves a billed use's flush to its leaf only when the caller waits for the leaf, and a refusal's commit as it was", async () => {
    expect(await meterIn(true, { key: 'w', limit: 1 })).toEqual({ outcome: 'metered', commit: 'off' });
    expect(await meterIn(false, { key: 'v', limit: 1 })).toEqual({ outcome: 'metered', commit: 'on' });
    expect(await meterIn(true, { key: 'w', limit: 1 })).toEqual({ outcome: 'quota_exceeded', commit: 'on' });
    // The setting was the transaction's own: the next one commits as usual again.
    const [after] = await pg.sql<{ synchronous_commit: string }[]>`select current_setting('synchronous_commit') as synchronous_commit`;
    expect(after!.synchronous_commit).toBe('on');
  });
});
