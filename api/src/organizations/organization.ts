import type { JWK } from 'jose';

export type OrganizationRole = 'custodian' | 'provider' | 'consumer' | 'operator' | 'auditor';

export interface Organization {
  id: string;
  name: string;
  registrationNumber: string;
  mspId: string;
  roles: OrganizationRole[];
  jwks: { keys: JWK[] };
  status: 'VERIFIED' | 'SUSPENDED';
  createdAt: string;
}

/** An organisation as the API answers it: everything but its MSP. */
export interface OrganizationViewValue {
  id: string;
  name: string;
  registrationNumber: string;
  roles: string[];
  status: 'VERIFIED' | 'SUSPENDED';
  jwks: { keys: Record<string, unknown>[] };
  createdAt: string;
}

export function view(o: Organization): OrganizationViewValue {
  return { id: o.id, name: o.name, registrationNumber: o.registrationNumber, roles: o.roles, status: o.status, jwks: o.jwks as { keys: Record<string, unknown>[] }, createdAt: o.createdAt };
}
