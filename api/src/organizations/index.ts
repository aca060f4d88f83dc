/**
 * Organisations: who may use the exchange, with which roles and keys. The public surface of the
 * capability — other folders import from here only.
 */
import type { Sql } from '../infra/database.js';
import { OrganizationService } from './organization-service.js';
import type { OrganizationLedger, OrganizationStore, ClientAssertionRegistry, ProviderListings } from './ports.js';
import { PgOrganizations } from './pg-organizations.js';
import { ActiveOrganizations } from './active-organizations.js';

export type { ActiveOrganizations } from './active-organizations.js';

export type { Organization, OrganizationRole, OrganizationViewValue } from './organization.js';
export { view as organizationView } from './organization.js';
export type { ClientAssertionRegistry, OrganizationDirectory, OrganizationLedger, OrganizationStore, ProviderListings } from './ports.js';
export { OrganizationService, ensureOperator, type RegisterOrganization } from './organization-service.js';
export { MemoryOrganizationStore } from './memory-organizations.js';
export { organizationRoutes } from './organization-routes.js';

/** The Postgres store, for the composition root: it is the directory, the store and the assertion registry at once. */
export function pgOrganizationStore(sql: Sql): OrganizationStore & ClientAssertionRegistry {
  return new PgOrganizations(sql);
}

/** The organisations that may act now, cached and dropped on each change Postgres announces; `start()` before use, `stop()` to end. */
export function activeOrganizations(sql: Sql, store: Pick<OrganizationStore, 'get'>): ActiveOrganizations {
  return new ActiveOrganizations(sql, (id) => store.get(id));
}

export function createOrganizationService(deps: {
  store: OrganizationStore;
  ledger: OrganizationLedger;
  operatorMspId: string;
  listings?: ProviderListings;
}): OrganizationService {
  return new OrganizationService(deps.store, deps.ledger, deps.operatorMspId, deps.listings);
}
