import type { JWK } from 'jose';

/** What signing in needs to know of an organisation: whether it is verified, and the keys its client assertions verify with. */
export interface SigningInOrganization {
  id: string;
  name: string;
  roles: string[];
  status: 'VERIFIED' | 'SUSPENDED';
  jwks: { keys: JWK[] };
}

/** The organisations' directory as sign-in sees it (the organisations capability's store satisfies it). */
export interface OrganizationDirectory {
  get(id: string): Promise<SigningInOrganization | undefined>;
  list(): Promise<SigningInOrganization[]>;
  /** Records a client assertion's `jti` until it expires; false when it was already used (a replay). */
  useAssertion(organizationId: string, jti: string, expiresAt: Date): Promise<boolean>;
}
