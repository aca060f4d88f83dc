import { DomainError } from '../errors/index.js';
import { newId } from '../ids.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { Organization } from './organization.js';
import type { OrganizationLedger, OrganizationStore, ProviderListings } from './ports.js';

export interface RegisterOrganization {
  name: string;
  registrationNumber: string;
  roles: Organization['roles'];
  jwks: Organization['jwks'];
}

/**
 * Registering and suspending organisations: on the ledger first (the source of truth for roles and
 * status), then in Postgres. Organisations reach the exchange through this API, so they transact
 * through the operator's MSP.
 */
export class OrganizationService {
  constructor(
    private readonly store: OrganizationStore,
    private readonly ledger: OrganizationLedger,
    private readonly operatorMspId: string,
    /** What else a suspension stops: the organisation's listings on the exchange. */
    private readonly listings?: ProviderListings,
  ) {}

  get(id: string): Promise<Organization | undefined> {
    return this.store.get(id);
  }

  /** Every organisation, oldest first. */
  list(): Promise<Organization[]> {
    return this.store.list();
  }

  async register(input: RegisterOrganization): Promise<Organization> {
    if (await this.store.byRegistrationNumber(input.registrationNumber)) {
      throw new DomainError('conflict', `an organisation with registration number ${input.registrationNumber} is already registered`);
    }
    const id = newId();
    await this.ledger.submit('organizations', 'RegisterOrganization', JSON.stringify({ id, mspId: this.operatorMspId, roles: input.roles }));
    return this.store.insert({ id, ...input, mspId: this.operatorMspId, status: 'VERIFIED' });
  }

  async suspend(id: string): Promise<Organization> {
    const org = await this.store.get(id);
    if (!org) throw new DomainError('not_found', `organisation ${id} does not exist`);
    // Fail closed: the API stops serving the organisation before the ledger records it, and a retry
    // after a crash in between finds the ledger already done.
    const suspended = (await this.store.setStatus(id, 'SUSPENDED'))!;
    try {
      await this.ledger.submit('organizations', 'SuspendOrganization', id);
    } catch (err) {
      if (!(err instanceof LedgerError && err.code === 'illegal_transition')) throw err;
    }
    await this.listings?.suspendListingsOf(id);
    return suspended;
  }
}

/**
 * Makes sure the exchange is open and the API knows its own operator organisation: adopts the one
 * on the ledger, or — on a new ledger — registers it with the operator MSP's admin identity.
 */
export async function ensureOperator(
  store: OrganizationStore,
  ledger: OrganizationLedger,
  mspId: string,
  admin: Pick<OrganizationLedger, 'submit'> | undefined,
): Promise<Organization> {
  const known = await store.operator();
  if (known) return known;
  const listed = JSON.parse(Buffer.from(await ledger.evaluate('organizations', 'ListOrganizationsByRole', 'operator', '50', '')).toString()) as {
    items: { id: string; mspId: string; roles: Organization['roles'] }[];
  };
  const onLedger = listed.items.find((o) => o.mspId === mspId);
  let id = onLedger?.id;
  const roles: Organization['roles'] = onLedger?.roles ?? ['auditor', 'operator'];
  if (!id) {
    if (!admin) throw new Error(`the exchange is not open on the ledger yet, and no admin identity of ${mspId} was given to open it`);
    id = newId();
    await admin.submit('organizations', 'RegisterOrganization', JSON.stringify({ id, mspId, roles }));
  }
  return store.insert({ id, name: 'Citizen Vault operator', registrationNumber: 'OPERATOR', mspId, roles, jwks: { keys: [] }, status: 'VERIFIED' });
}
