import type { Organization } from './organization.js';

/** Looking organisations up: all that authentication and the exchange need of this capability. */
export interface OrganizationDirectory {
  get(id: string): Promise<Organization | undefined>;
  /** Every organisation, oldest first. */
  list(): Promise<Organization[]>;
}

/** Client assertions already used, so a replayed one is refused. */
export interface ClientAssertionRegistry {
  /** Records a client assertion's id; false when it was used before (a replay). */
  useAssertion(organizationId: string, jti: string, expiresAt: Date): Promise<boolean>;
}

/** Where organisations are kept (the ledger keeps their roles and status too). */
export interface OrganizationStore extends OrganizationDirectory {
  byRegistrationNumber(number: string): Promise<Organization | undefined>;
  /** The oldest organisation with the operator role. */
  operator(): Promise<Organization | undefined>;
  insert(o: Omit<Organization, 'createdAt'>): Promise<Organization>;
  setStatus(id: string, status: Organization['status']): Promise<Organization | undefined>;
}

/** The ledger transactions organisations need: the organisations contract's. */
export interface OrganizationLedger {
  submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

/** What else a suspension stops: the organisation's listings on the exchange. */
export interface ProviderListings {
  suspendListingsOf(organizationId: string): Promise<void>;
}
