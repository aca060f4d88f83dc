import type { Organization } from '../auth/index.js';

/** An organisation as authentication loads it: the shape is auth's, which every capability's routes share. */
export type { Organization, OrganizationRole } from '../auth/index.js';

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
  return {
    id: o.id,
    name: o.name,
    registrationNumber: o.registrationNumber,
    roles: o.roles,
    status: o.status,
    jwks: o.jwks as { keys: Record<string, unknown>[] },
    createdAt: o.createdAt,
  };
}
