import type { Sql } from '../infra/database.js';
import type { Organization, OrganizationRole } from './organization.js';
import type { ClientAssertionRegistry, OrganizationStore } from './ports.js';

interface Row {
  id: string;
  name: string;
  registration_number: string;
  msp_id: string;
  roles: OrganizationRole[];
  jwks: Organization['jwks'];
  status: Organization['status'];
  created_at: Date;
}

const toOrganization = (r: Row): Organization => ({
  id: r.id,
  name: r.name,
  registrationNumber: r.registration_number,
  mspId: r.msp_id,
  roles: r.roles,
  jwks: r.jwks,
  status: r.status,
  createdAt: r.created_at.toISOString(),
});

/** Organisations as the API keeps them in Postgres (the ledger keeps their roles and status too). */
export class PgOrganizations implements OrganizationStore, ClientAssertionRegistry {
  constructor(private readonly sql: Sql) {}

  async get(id: string): Promise<Organization | undefined> {
    const [row] = await this.sql<Row[]>`select * from organizations where id = ${id}`;
    return row ? toOrganization(row) : undefined;
  }

  /** Every organisation, oldest first (there are tens or hundreds, not millions). */
  async list(): Promise<Organization[]> {
    const rows = await this.sql<Row[]>`select * from organizations order by created_at, id`;
    return rows.map(toOrganization);
  }

  async byRegistrationNumber(number: string): Promise<Organization | undefined> {
    const [row] = await this.sql<Row[]>`select * from organizations where registration_number = ${number}`;
    return row ? toOrganization(row) : undefined;
  }

  async operator(): Promise<Organization | undefined> {
    const [row] = await this.sql<Row[]>`select * from organizations where 'operator' = any(roles) order by created_at limit 1`;
    return row ? toOrganization(row) : undefined;
  }

  async insert(o: Omit<Organization, 'createdAt'>): Promise<Organization> {
    const [row] = await this.sql<Row[]>`
      insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
      values (${o.id}, ${o.name}, ${o.registrationNumber}, ${o.mspId}, ${o.roles}, ${this.sql.json(o.jwks as never)}, ${o.status})
      returning *`;
    return toOrganization(row!);
  }

  async setStatus(id: string, status: Organization['status']): Promise<Organization | undefined> {
    const [row] = await this.sql<Row[]>`update organizations set status = ${status}, updated_at = now() where id = ${id} returning *`;
    return row ? toOrganization(row) : undefined;
  }

  /** Records a client assertion's id; false when it was used before (a replay). */
  async useAssertion(organizationId: string, jti: string, expiresAt: Date): Promise<boolean> {
    await this.sql`delete from client_assertion_jtis where expires_at < now()`;
    const rows = await this.sql`
      insert into client_assertion_jtis (organization_id, jti, expires_at) values (${organizationId}, ${jti}, ${expiresAt})
      on conflict do nothing returning jti`;
    return rows.length === 1;
  }
}
