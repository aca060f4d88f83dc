import type { ProductStatus } from '@citizen-vault/chaincode/rules';
import type { Sql } from '../infra/database.js';
import type { ProductStore, UsableLicence } from './ports.js';
import type { CatalogueQuery, LicenceRow, ProductRow } from './product-records.js';

const PRODUCT = (sql: Sql) =>
  sql`select p.*, o.name as provider_name, o.status as provider_status from products p join organizations o on o.id = p.provider_org_id`;

/** The exchange's read model of products and licences (the ledger is their source of truth). */
export class PgProducts implements ProductStore {
  constructor(private readonly sql: Sql) {}

  async insertProduct(p: Omit<ProductRow, 'provider_name' | 'provider_status' | 'terms_hash' | 'rejection_reason' | 'on_ledger'>): Promise<void> {
    const sql = this.sql;
    await sql`
      insert into products (id, provider_org_id, kind, status, title, description, output_schema, terms, plans, spec, description_hash, prelisting_flags, created_at, updated_at)
      values (${p.id}, ${p.provider_org_id}, ${p.kind}, ${p.status}, ${sql.json(p.title)}, ${sql.json(p.description)}, ${sql.json(p.output_schema as never)},
              ${sql.json(p.terms as never)}, ${sql.json(p.plans as never)}, ${sql.json(p.spec as never)}, ${p.description_hash}, ${sql.json(p.prelisting_flags as never)},
              ${p.created_at}, ${p.updated_at})`;
  }

  async product(id: string): Promise<ProductRow | undefined> {
    const [row] = await this.sql<ProductRow[]>`${PRODUCT(this.sql)} where p.id = ${id}`;
    return row;
  }

  /** The ids of a provider's products in the given statuses. */
  async productIdsOf(providerOrgId: string, statuses: readonly ProductStatus[]): Promise<string[]> {
    const rows = await this.sql<
      { id: string }[]
    >`select id from products where provider_org_id = ${providerOrgId} and status = any(${statuses as ProductStatus[]})`;
    return rows.map((r) => r.id);
  }

  /** Writes the state a committed ledger transaction produced, unless a later one is already there. */
  async applyProductState(id: string, s: { status: ProductStatus; termsHash: string; rejectionReason: string | null; updatedAt: string }): Promise<void> {
    await this
      .sql`update products set status = ${s.status}, terms_hash = ${s.termsHash}, rejection_reason = ${s.rejectionReason}, on_ledger = true, updated_at = ${s.updatedAt}
                   where id = ${id} and (not on_ledger or updated_at <= ${s.updatedAt})`;
  }

  async catalogue(query: CatalogueQuery): Promise<{ items: ProductRow[]; total: number }> {
    const sql = this.sql;
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = sql`where p.status = any(${query.statuses as string[]})
      ${query.kind ? sql`and p.kind = ${query.kind}` : sql``}
      ${query.providerOrgId ? sql`and p.provider_org_id = ${query.providerOrgId}` : sql``}
      ${pattern ? sql`and (p.title->>'vi' ilike ${pattern} or p.title->>'en' ilike ${pattern} or p.description->>'vi' ilike ${pattern} or p.description->>'en' ilike ${pattern})` : sql``}`;
    const [items, [count]] = await Promise.all([
      sql<ProductRow[]>`${PRODUCT(sql)} ${where} order by p.created_at desc, p.id desc limit ${query.limit} offset ${query.offset}`,
      sql<{ n: number }[]>`select count(*)::int as n from products p ${where}`,
    ]);
    return { items, total: count?.n ?? 0 };
  }

  async insertLicence(l: LicenceRow): Promise<void> {
    const sql = this.sql;
    await sql`
      insert into licences (id, product_id, buyer_org_id, plan_id, plan, purpose, status, quota, terms_hash, valid_from, valid_until, privacy_budget_micro, issued_at, updated_at)
      values (${l.id}, ${l.product_id}, ${l.buyer_org_id}, ${l.plan_id}, ${sql.json(l.plan as never)}, ${l.purpose}, ${l.status}, ${l.quota ? sql.json(l.quota) : null},
              ${l.terms_hash}, ${l.valid_from}, ${l.valid_until}, ${l.privacy_budget_micro}, ${l.issued_at}, ${l.updated_at})`;
  }

  async licence(id: string): Promise<LicenceRow | undefined> {
    const [row] = await this.sql<LicenceRow[]>`select * from licences where id = ${id}`;
    return row;
  }

  /** A licence and its product in one round trip. */
  async licenceWithProduct(id: string): Promise<{ licence: LicenceRow; product: ProductRow } | undefined> {
    const found = await this.usableLicence(id);
    return found && { licence: found.licence, product: found.product };
  }

  async usableLicence(id: string): Promise<UsableLicence | undefined> {
    const [row] = await this.sql<{ l: LicenceRow; p: ProductRow; version: string }[]>`
      select to_jsonb(l) as l, to_jsonb(p) || jsonb_build_object('provider_name', o.name, 'provider_status', o.status) as p, licence_use_version(l.id) as version
      from licences l join products p on p.id = l.product_id join organizations o on o.id = p.provider_org_id where l.id = ${id}`;
    if (!row) return undefined;
    const l = row.l as unknown as Record<string, unknown>;
    const p = row.p as unknown as Record<string, unknown>;
    const dates = <T>(o: Record<string, unknown>, keys: string[]): T => {
      for (const k of keys) o[k] = new Date(o[k] as string);
      return o as T;
    };
    if (l.privacy_budget_micro !== null) l.privacy_budget_micro = String(l.privacy_budget_micro);
    l.privacy_spent_micro = String(l.privacy_spent_micro);
    return {
      licence: dates<LicenceRow>(l, ['valid_from', 'valid_until', 'issued_at', 'updated_at']),
      product: dates<ProductRow>(p, ['created_at', 'updated_at']),
      version: row.version,
    };
  }

  async licences(filter: { buyerOrgId?: string; providerOrgId?: string }, limit: number, offset: number): Promise<LicenceRow[]> {
    const sql = this.sql;
    return sql<LicenceRow[]>`
      select l.* from licences l join products p on p.id = l.product_id
      where true ${filter.buyerOrgId ? sql`and l.buyer_org_id = ${filter.buyerOrgId}` : sql``}
      ${filter.providerOrgId ? sql`and p.provider_org_id = ${filter.providerOrgId}` : sql``}
      order by l.issued_at desc, l.id desc limit ${limit} offset ${offset}`;
  }

  async applyLicenceState(id: string, status: LicenceRow['status'], updatedAt: string): Promise<void> {
    await this.sql`update licences set status = ${status}, updated_at = ${updatedAt} where id = ${id} and updated_at <= ${updatedAt}`;
  }
}
