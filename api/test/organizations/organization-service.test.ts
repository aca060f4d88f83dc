import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors/index.js';
import { LedgerError } from '../../src/ledger/fabric-ledger.js';
import { createOrganizationService, ensureOperator, MemoryOrganizationStore } from '../../src/organizations/index.js';
import { addOrganization, organizationInput } from '../support/fixtures.js';
import { RulesLedger } from '../support/rules-ledger.js';

// OrganizationService against its ports: the in-memory store (held to the Postgres store's contract)
// and the chaincode's rules as the ledger. No Postgres, no devnet.
const MSP = 'VaultOperatorMSP';

function setup() {
  const store = new MemoryOrganizationStore();
  const ledger = new RulesLedger();
  const suspendedListings: string[] = [];
  const service = createOrganizationService({
    store,
    ledger,
    operatorMspId: MSP,
    listings: { suspendListingsOf: async (id) => void suspendedListings.push(id) },
  });
  return { store, ledger, service, suspendedListings };
}

const registration = () => {
  const { name, registrationNumber, roles, jwks } = organizationInput(['provider', 'consumer']);
  return { name, registrationNumber, roles, jwks };
};

describe('OrganizationService', () => {
  it("registers an organisation on the ledger, under the operator's MSP, then keeps it verified", async () => {
    const { store, ledger, service } = setup();
    const org = await service.register(registration());
    expect(ledger.organizations.get(org.id)).toMatchObject({ mspId: MSP, roles: ['provider', 'consumer'], status: 'VERIFIED' });
    expect(await store.get(org.id)).toMatchObject({ id: org.id, mspId: MSP, status: 'VERIFIED' });
    expect((await service.list()).map((o) => o.id)).toEqual([org.id]);
  });

  it('refuses a registration number already registered, before anything reaches the ledger', async () => {
    const { ledger, service } = setup();
    const input = registration();
    await service.register(input);
    const err = await service.register({ ...input, name: 'Someone else' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('conflict');
    expect(ledger.submitted).toEqual(['organizations.RegisterOrganization']);
  });

  it('keeps nothing when the ledger refuses a registration', async () => {
    const { store, ledger, service } = setup();
    ledger.failNext = { fn: 'RegisterOrganization', code: 'ledger_unavailable' };
    await expect(service.register(registration())).rejects.toBeInstanceOf(LedgerError);
    expect(await store.list()).toEqual([]);
  });

  it('stops serving a suspended organisation before the ledger records it, so a failed submit still leaves it suspended', async () => {
    const { store, ledger, service, suspendedListings } = setup();
    const org = await service.register(registration());
    ledger.failNext = { fn: 'SuspendOrganization', code: 'ledger_unavailable' };
    await expect(service.suspend(org.id)).rejects.toMatchObject({ code: 'ledger_unavailable' });
    expect((await store.get(org.id))?.status).toBe('SUSPENDED');
    expect(suspendedListings).toEqual([]);
    // The retry finishes the work: the ledger suspends, then the listings stop.
    expect((await service.suspend(org.id)).status).toBe('SUSPENDED');
    expect(ledger.organizations.get(org.id)?.status).toBe('SUSPENDED');
    expect(suspendedListings).toEqual([org.id]);
  });

  it('treats a suspension the ledger already holds as done, and still suspends the listings', async () => {
    const { ledger, service, suspendedListings } = setup();
    const org = await service.register(registration());
    await ledger.submit('organizations', 'SuspendOrganization', org.id); // a crash after the ledger, before the listings
    expect((await service.suspend(org.id)).status).toBe('SUSPENDED');
    expect(suspendedListings).toEqual([org.id]);
  });

  it('answers not_found for an organisation it does not know', async () => {
    const { service } = setup();
    await expect(service.suspend('0190c1b2-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('ensureOperator', () => {
  it('answers the operator already known, without asking the ledger', async () => {
    const store = new MemoryOrganizationStore();
    const operator = await addOrganization(store, ['auditor', 'operator']);
    const ledger = new RulesLedger();
    ledger.evaluate = () => Promise.reject(new Error('the ledger must not be asked'));
    expect((await ensureOperator(store, ledger, MSP, undefined)).id).toBe(operator.id);
  });

  it('adopts the operator the ledger already holds for this MSP', async () => {
    const store = new MemoryOrganizationStore();
    const ledger = new RulesLedger();
    await ledger.submit(
      'organizations',
      'RegisterOrganization',
      JSON.stringify({ id: '0190c1b2-0000-7000-8000-000000000001', mspId: MSP, roles: ['auditor', 'operator'] }),
    );
    const adopted = await ensureOperator(store, ledger, MSP, undefined);
    expect(adopted).toMatchObject({ id: '0190c1b2-0000-7000-8000-000000000001', registrationNumber: 'OPERATOR', roles: ['auditor', 'operator'] });
    expect(ledger.organizations.size).toBe(1);
  });

  it('opens the exchange on a new ledger with the admin identity, and refuses to without one', async () => {
    const ledger = new RulesLedger();
    await expect(ensureOperator(new MemoryOrganizationStore(), ledger, MSP, undefined)).rejects.toThrow(/no admin identity/);
    const store = new MemoryOrganizationStore();
    const opened = await ensureOperator(store, ledger, MSP, ledger);
    expect(ledger.organizations.get(opened.id)).toMatchObject({ mspId: MSP, roles: ['auditor', 'operator'] });
    expect((await store.operator())?.id).toBe(opened.id);
  });
});
