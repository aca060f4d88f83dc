import type { Role } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { open, seal } from '../infra/aead.js';
import type { Clock } from '../infra/clock.js';
import type { Sql } from '../infra/database.js';
import type { SigningInOrganization } from './organization-directory.js';

/** The portal roles an organisation's provider may grant its staff. */
export type StaffRole = Extract<Role, 'organization' | 'auditor' | 'operator'>;

/** An organisation's own OpenID Connect provider, and how its ID tokens' claims map to portal roles. */
export interface OrganizationProvider {
  organizationId: string;
  issuer: string;
  clientId: string;
  scopes: string;
  /** The ID-token claim naming the person's groups or roles at the organisation (a string or an array of strings). */
  roleClaim: string;
  /** Claim values and the portal role each gives, in order: the first value the person has decides. */
  roleMapping: [value: string, role: StaffRole][];
  updatedAt: Date;
}

const SECRET_CONTEXT = (organizationId: string): string => `cv:organization-sign-in:${organizationId}:v1`;

interface Row {
  organization_id: string;
  issuer: string;
  client_id: string;
  sealed_client_secret: Buffer;
  scopes: string;
  role_claim: string;
  role_mapping: [string, StaffRole][];
  updated_at: Date;
}

/** Organisations' identity providers in Postgres; the client secret is sealed with the KEK, bound to the organisation. */
export class PgOrganizationProviders {
  constructor(
    private readonly sql: Sql,
    private readonly kek: Uint8Array,
    private readonly clock: Clock,
  ) {}

  async put(provider: Omit<OrganizationProvider, 'updatedAt'> & { clientSecret: string }): Promise<OrganizationProvider> {
    const sealed = seal(this.kek, Buffer.from(provider.clientSecret), SECRET_CONTEXT(provider.organizationId));
    const [row] = await this.sql<Row[]>`
      insert into organization_sign_in (organization_id, issuer, client_id, sealed_client_secret, scopes, role_claim, role_mapping, updated_at)
      values (${provider.organizationId}, ${provider.issuer}, ${provider.clientId}, ${sealed}, ${provider.scopes}, ${provider.roleClaim},
              ${this.sql.json(provider.roleMapping)}, ${this.clock.now()})
      on conflict (organization_id) do update set issuer = excluded.issuer, client_id = excluded.client_id,
        sealed_client_secret = excluded.sealed_client_secret, scopes = excluded.scopes, role_claim = excluded.role_claim,
        role_mapping = excluded.role_mapping, updated_at = excluded.updated_at
      returning *`;
    return providerOf(row!);
  }

  async get(organizationId: string): Promise<OrganizationProvider | undefined> {
    const [row] = await this.sql<Row[]>`select * from organization_sign_in where organization_id = ${organizationId}`;
    return row ? providerOf(row) : undefined;
  }

  /** The provider with its client secret, for the sign-in itself only. */
  async withSecret(organizationId: string): Promise<(OrganizationProvider & { clientSecret: string }) | undefined> {
    const [row] = await this.sql<Row[]>`select * from organization_sign_in where organization_id = ${organizationId}`;
    if (!row) return undefined;
    const clientSecret = Buffer.from(open(this.kek, row.sealed_client_secret, SECRET_CONTEXT(organizationId))).toString();
    return { ...providerOf(row), clientSecret };
  }

  async list(): Promise<OrganizationProvider[]> {
    return (await this.sql<Row[]>`select * from organization_sign_in order by organization_id`).map(providerOf);
  }

  async remove(organizationId: string): Promise<boolean> {
    return (await this.sql`delete from organization_sign_in where organization_id = ${organizationId}`).count > 0;
  }
}

function providerOf(row: Row): OrganizationProvider {
  return {
    organizationId: row.organization_id,
    issuer: row.issuer,
    clientId: row.client_id,
    scopes: row.scopes,
    roleClaim: row.role_claim,
    roleMapping: row.role_mapping,
    updatedAt: row.updated_at,
  };
}

/** Which portal roles an organisation's staff may hold: its own portal always; auditors and the operator only where the organisation is one. */
export function rolesOpenTo(organization: Pick<SigningInOrganization, 'roles'>): StaffRole[] {
  return [
    'organization',
    ...(organization.roles.includes('auditor') ? (['auditor'] as const) : []),
    ...(organization.roles.includes('operator') ? (['operator'] as const) : []),
  ];
}

/**
 * The role an organisation's ID token gives: the first mapped value the role claim carries. A person
 * the mapping does not name gets no session at all; nothing defaults to a role.
 */
export function staffRoleOf(claims: Record<string, unknown>, provider: OrganizationProvider): StaffRole {
  const raw = claims[provider.roleClaim];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  const match = provider.roleMapping.find(([value]) => values.includes(value));
  if (!match)
    throw new DomainError(
      'forbidden',
      `your organisation's identity provider gives you no role in this portal (its ${provider.roleClaim} claim names none it maps)`,
    );
  return match[1];
}
