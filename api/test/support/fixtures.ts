import { randomUUID } from 'node:crypto';
import type { Organization, OrganizationRole, OrganizationStore } from '../../src/organizations/index.js';

/** A mutable clock for tests: starts where told and moves only when a test moves it. */
export class TestClock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date | string): void {
    this.at = new Date(at);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

let registration = 10_000;

/** An organisation as a store keeps it; its keys are placeholders (stores do not check them). */
export function organizationInput(roles: OrganizationRole[], over: Partial<Omit<Organization, 'createdAt'>> = {}): Omit<Organization, 'createdAt'> {
  return {
    id: randomUUID(),
    name: `Organisation ${registration}`,
    registrationNumber: `REG-${registration++}`,
    mspId: 'VaultOperatorMSP',
    roles,
    jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43), kid: 'sig-1', use: 'sig' }] },
    status: 'VERIFIED',
    ...over,
  };
}

export async function addOrganization(
  store: OrganizationStore,
  roles: OrganizationRole[],
  over: Partial<Omit<Organization, 'createdAt'>> = {},
): Promise<Organization> {
  return store.insert(organizationInput(roles, over));
}
