import { systemClock, type Clock } from '../infra/clock.js';
import type { Organization } from './organization.js';
import type { ClientAssertionRegistry, OrganizationStore } from './ports.js';

/**
 * The organisations store in memory, for unit tests of whatever needs organisations: it passes the
 * same contract tests as the Postgres store (unique registration numbers, oldest first, replays refused).
 */
export class MemoryOrganizationStore implements OrganizationStore, ClientAssertionRegistry {
  private readonly rows = new Map<string, Organization>();
  private readonly assertions = new Map<string, Date>();

  constructor(private readonly clock: Clock = systemClock) {}

  async get(id: string): Promise<Organization | undefined> {
    return copy(this.rows.get(id));
  }

  async list(): Promise<Organization[]> {
    return [...this.rows.values()].map((o) => copy(o)!);
  }

  async byRegistrationNumber(number: string): Promise<Organization | undefined> {
    return copy([...this.rows.values()].find((o) => o.registrationNumber === number));
  }

  async operator(): Promise<Organization | undefined> {
    return copy([...this.rows.values()].find((o) => o.roles.includes('operator')));
  }

  async insert(o: Omit<Organization, 'createdAt'>): Promise<Organization> {
    if (this.rows.has(o.id)) throw new Error(`duplicate organisation id ${o.id}`);
    if ([...this.rows.values()].some((r) => r.registrationNumber === o.registrationNumber))
      throw new Error(`duplicate registration number ${o.registrationNumber}`);
    // Insertion order is creation order, as `created_at, id` orders the Postgres rows.
    const row: Organization = { ...structuredClone(o), createdAt: this.clock.now().toISOString() };
    this.rows.set(o.id, row);
    return copy(row)!;
  }

  async setStatus(id: string, status: Organization['status']): Promise<Organization | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    row.status = status;
    return copy(row);
  }

  async useAssertion(organizationId: string, jti: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock.now().getTime();
    for (const [key, expiry] of this.assertions) if (expiry.getTime() < now) this.assertions.delete(key);
    const key = `${organizationId}|${jti}`;
    if (this.assertions.has(key)) return false;
    this.assertions.set(key, expiresAt);
    return true;
  }
}

const copy = (o: Organization | undefined): Organization | undefined => (o ? structuredClone(o) : undefined);
