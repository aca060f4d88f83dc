import type { JWK } from 'jose';

export type OrganizationRole = 'custodian' | 'provider' | 'consumer' | 'operator' | 'auditor';

/** An organisation as the API knows it once its token is checked: who it is, what it may do, and its public keys. */
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
