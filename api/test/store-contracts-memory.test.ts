import { accessLogContract } from './contracts/access-log.contract.js';
import { consentStoreContract } from './contracts/consent-store.contract.js';
import { logStoresContract } from './contracts/log-stores.contract.js';
import { memoryFixture } from './contracts/fixture.js';
import { vaultStoreContract } from './contracts/vault-store.contract.js';

// The in-memory twins the unit tests use, held to the contracts the Postgres adapters pass (store-contracts-pg.test.ts).
consentStoreContract('in memory', memoryFixture());
accessLogContract('in memory', memoryFixture());
vaultStoreContract('in memory', memoryFixture());
logStoresContract('in memory', memoryFixture());
