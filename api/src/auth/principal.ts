export type Role = 'citizen' | 'operator' | 'auditor' | 'organization';

/** Who is calling, once their token has been checked. */
export interface Principal {
  role: Role;
  /** Citizens: the national id their identity provider vouches for. Never logged, never stored in clear. */
  nationalId?: string;
  /** Organisations: their id, and their record as loaded when the token was checked. */
  organizationId?: string;
  organization?: unknown;
  subject: string;
}
