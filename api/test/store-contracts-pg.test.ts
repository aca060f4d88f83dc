import { accessLogContract } from './contracts/access-log.contract.js';
import { consentStoreContract } from './contracts/consent-store.contract.js';
import { logStoresContract } from './contracts/log-stores.contract.js';
import { pgFixture } from './contracts/fixture.js';
import { vaultStoreContract } from './contracts/vault-store.contract.js';
import { usePostgres } from './postgres.js';

// The Postgres adapters on a real (embedded) Postgres, only: no ledger, no API.
const db = usePostgres();
const fixture = pgFixture(() => db.sql);
consentStoreContract('Postgres', fixture);
accessLogContract('Postgres', fixture);
vaultStoreContract('Postgres', fixture);
logStoresContract('Postgres', fixture);
