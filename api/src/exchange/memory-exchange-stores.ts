import type { ProductStatus } from '@citizen-vault/chaincode/rules';
import type { OrganizationDirectory } from '../organizations/index.js';
import type { Dimension } from './exchange-vocabulary.js';
import { billedEventRow, sameRequest, type MeterOutcome, type MeterRequest, type MeteringEventRow } from './metering-records.js';
import type { CountsQuery, ExchangeStores, MeteringStore, NewStatement, ProductStore, SettlementStore, StatisticsStore, UsableLicence } from './ports.js';
import type { CatalogueQuery, LicenceRow, ProductRow } from './product-records.js';
import type { PeriodUsageRow } from './settlement-records.js';
import { ageBand, birthYearsOf, type Cell } from './statistics-query.js';
import type { StatisticsAttributes, StatisticsFilter } from './statistics-records.js';

type StoredProduct = Omit<ProductRow, 'provider_name' | 'provider_status'>;
interface Statement {
  units: string;
  amount_dong: string;
  split: Record<string, string>;
  anchor_tx_id: string;
  anchored_at: Date;
}
interface Profile extends StatisticsAttributes {
  optedOut: boolean;
}

/** One database's worth of exchange state, shared by the four twins as the four Postgres stores share their tables. */
class State {
  readonly products = new Map<string, StoredProduct>();
  readonly licences = new Map<string, LicenceRow>();
  readonly events: MeteringEventRow[] = [];
  readonly usage = new Map<string, number>();
  readonly statements = new Map<string, Statement>();
  readonly profiles = new Map<string, Profile>();
  /** Metering runs one use at a time, as Postgres serialises uses of the same request key and counters. */
  meteringLock: Promise<unknown> = Promise.resolve();

  constructor(readonly organizations: OrganizationDirectory) {}
}

const clone = <T>(value: T): T => structuredClone(value);
const byTimeThenId = (time: (x: { id: string }) => Date) => (a: { id: string }, b: { id: string }) =>
  time(a).getTime() - time(b).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What a licence check reads, as one value (as `licence_use_version` in Postgres). */
async function useVersion(s: State, licenceId: string): Promise<string | undefined> {
  const l = s.licences.get(licenceId);
  const p = l && s.products.get(l.product_id);
  const org = p && (await s.organizations.get(p.provider_org_id));
  return l && p && org ? JSON.stringify([l.status, l.updated_at.toISOString(), p.status, p.updated_at.toISOString(), p.terms_hash, org.status]) : undefined;
}

class MemoryProducts implements ProductStore {
  constructor(private readonly s: State) {}

  async insertProduct(p: Omit<ProductRow, 'provider_name' | 'provider_status' | 'terms_hash' | 'rejection_reason' | 'on_ledger'>): Promise<void> {
    if (this.s.products.has(p.id)) throw new Error(`duplicate product ${p.id}`);
    if (!(await this.s.organizations.get(p.provider_org_id))) throw new Error(`no organisation ${p.provider_org_id}`);
    this.s.products.set(p.id, { ...clone(p), terms_hash: null, rejection_reason: null, on_ledger: false });
  }

  async product(id: string): Promise<ProductRow | undefined> {
    const p = this.s.products.get(id);
    return p ? this.withProvider(p) : undefined;
  }

  async productIdsOf(providerOrgId: string, statuses: readonly ProductStatus[]): Promise<string[]> {
    return [...this.s.products.values()].filter((p) => p.provider_org_id === providerOrgId && statuses.includes(p.status)).map((p) => p.id);
  }

  async applyProductState(id: string, st: { status: ProductStatus; termsHash: string; rejectionReason: string | null; updatedAt: string }): Promise<void> {
    const p = this.s.products.get(id);
    if (!p || (p.on_ledger && p.updated_at.getTime() > Date.parse(st.updatedAt))) return;
    Object.assign(p, {
      status: st.status,
      terms_hash: st.termsHash,
      rejection_reason: st.rejectionReason,
      on_ledger: true,
      updated_at: new Date(st.updatedAt),
    });
  }

  async catalogue(query: CatalogueQuery): Promise<{ items: ProductRow[]; total: number }> {
    const needle = query.q?.toLowerCase();
    const matching = [...this.s.products.values()]
      .filter((p) => query.statuses.includes(p.status))
      .filter((p) => !query.kind || p.kind === query.kind)
      .filter((p) => !query.providerOrgId || p.provider_org_id === query.providerOrgId)
      .filter((p) => !needle || [p.title.vi, p.title.en, p.description.vi, p.description.en].some((t) => t.toLowerCase().includes(needle)))
      .sort(byTimeThenId((p) => (p as StoredProduct).created_at))
      .reverse();
    const page = matching.slice(query.offset, query.offset + query.limit);
    return { items: await Promise.all(page.map((p) => this.withProvider(p))), total: matching.length };
  }

  async insertLicence(l: LicenceRow): Promise<void> {
    if (this.s.licences.has(l.id)) throw new Error(`duplicate licence ${l.id}`);
    if (!this.s.products.has(l.product_id)) throw new Error(`no product ${l.product_id}`);
    // What Postgres keeps of a new licence: nothing spent yet, whatever the row said.
    this.s.licences.set(l.id, { ...clone(l), privacy_spent_micro: '0' });
  }

  async licence(id: string): Promise<LicenceRow | undefined> {
    const l = this.s.licences.get(id);
    return l ? clone(l) : undefined;
  }

  async licenceWithProduct(id: string): Promise<{ licence: LicenceRow; product: ProductRow } | undefined> {
    const l = this.s.licences.get(id);
    const p = l && this.s.products.get(l.product_id);
    return l && p ? { licence: clone(l), product: await this.withProvider(p) } : undefined;
  }

  async usableLicence(id: string): Promise<UsableLicence | undefined> {
    const found = await this.licenceWithProduct(id);
    const version = await useVersion(this.s, id);
    return found && version !== undefined ? { ...found, version } : undefined;
  }

  async licences(filter: { buyerOrgId?: string; providerOrgId?: string }, limit: number, offset: number): Promise<LicenceRow[]> {
    return [...this.s.licences.values()]
      .filter((l) => !filter.buyerOrgId || l.buyer_org_id === filter.buyerOrgId)
      .filter((l) => !filter.providerOrgId || this.s.products.get(l.product_id)?.provider_org_id === filter.providerOrgId)
      .sort(byTimeThenId((l) => (l as LicenceRow).issued_at))
      .reverse()
      .slice(offset, offset + limit)
      .map(clone);
  }

  async applyLicenceState(id: string, status: LicenceRow['status'], updatedAt: string): Promise<void> {
    const l = this.s.licences.get(id);
    if (!l || l.updated_at.getTime() > Date.parse(updatedAt)) return;
    Object.assign(l, { status, updated_at: new Date(updatedAt) });
  }

  private async withProvider(p: StoredProduct): Promise<ProductRow> {
    const org = await this.s.organizations.get(p.provider_org_id);
    if (!org) throw new Error(`no organisation ${p.provider_org_id}`);
    return { ...clone(p), provider_name: org.name, provider_status: org.status };
  }
}

class MemoryMetering implements MeteringStore {
  constructor(private readonly s: State) {}

  meter(r: MeterRequest, during?: () => Promise<void>): Promise<MeterOutcome> {
    const run = this.s.meteringLock.then(() => this.meterNow(r, during));
    this.s.meteringLock = run.catch(() => undefined);
    return run;
  }

  private async meterNow(r: MeterRequest, during?: () => Promise<void>): Promise<MeterOutcome> {
    if (r.expectedVersion !== undefined && (await useVersion(this.s, r.licenceId)) !== r.expectedVersion) return { outcome: 'stale' };
    const first = this.s.events.find((e) => e.licence_id === r.licenceId && e.request_key === r.requestKey);
    if (first) return sameRequest(first, r.requestHash) ? { outcome: 'replayed', event: clone(first) } : { outcome: 'key_reused' };
    for (const w of r.windows) {
      if ((this.s.usage.get(`${r.licenceId}|${w.key}`) ?? 0) + r.units > w.limit) return { outcome: 'quota_exceeded', window: w.key, limit: w.limit };
    }
    const licence = this.s.licences.get(r.licenceId);
    if (!licence) throw new Error(`no licence ${r.licenceId}`);
    if (r.epsilonMicro > 0n) {
      if (licence.privacy_budget_micro === null || BigInt(licence.privacy_spent_micro) + r.epsilonMicro > BigInt(licence.privacy_budget_micro))
        return { outcome: 'privacy_budget_exhausted' };
    }
    // Every check passed: `during` runs before anything is written, so when it throws nothing is billed.
    if (during) await during();
    const event: MeteringEventRow = clone(billedEventRow(r));
    this.s.events.push(event);
    for (const w of r.windows) this.s.usage.set(`${r.licenceId}|${w.key}`, (this.s.usage.get(`${r.licenceId}|${w.key}`) ?? 0) + r.units);
    if (r.epsilonMicro > 0n) licence.privacy_spent_micro = (BigInt(licence.privacy_spent_micro) + r.epsilonMicro).toString();
    return { outcome: 'metered', event: clone(event) };
  }

  async meterCounting(r: MeterRequest, q: CountsQuery): Promise<{ outcome: MeterOutcome; counts: Cell[] }> {
    const outcome = await this.meter({ ...r, result: undefined });
    return { outcome, counts: outcome.outcome === 'metered' ? await new MemoryStatistics(this.s).counts(q.groupBy, q.filter, q.at) : [] };
  }

  async existing(licenceId: string, requestKey: string): Promise<MeteringEventRow | undefined> {
    const e = this.s.events.find((x) => x.licence_id === licenceId && x.request_key === requestKey);
    return e ? clone(e) : undefined;
  }

  async setLeaf(eventId: string, leafIndex: number): Promise<void> {
    const e = this.s.events.find((x) => x.id === eventId);
    if (e && e.leaf_index === null) e.leaf_index = String(leafIndex);
  }

  async usage(
    licenceId: string,
  ): Promise<{ windows: { window_key: string; units: string }[]; totals: { period: string; calls: number; units: string; amount_dong: string }[] }> {
    const windows = [...this.s.usage.entries()]
      .filter(([k]) => k.startsWith(`${licenceId}|`))
      .map(([k, units]) => ({ window_key: k.slice(licenceId.length + 1), units: String(units) }))
      .sort((a, b) => (a.window_key < b.window_key ? -1 : 1));
    const byPeriod = new Map<string, { calls: number; units: bigint; amount: bigint }>();
    for (const e of this.s.events.filter((x) => x.licence_id === licenceId)) {
      const t = byPeriod.get(e.period) ?? { calls: 0, units: 0n, amount: 0n };
      byPeriod.set(e.period, { calls: t.calls + 1, units: t.units + BigInt(e.units), amount: t.amount + BigInt(e.amount_dong) });
    }
    const totals = [...byPeriod.entries()]
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .slice(0, 24)
      .map(([period, t]) => ({ period, calls: t.calls, units: t.units.toString(), amount_dong: t.amount.toString() }));
    return { windows, totals };
  }

  async recentEvents(licenceId: string, limit: number): Promise<MeteringEventRow[]> {
    return this.s.events
      .filter((e) => e.licence_id === licenceId)
      .sort(byTimeThenId((e) => (e as MeteringEventRow).at))
      .reverse()
      .slice(0, limit)
      .map((e) => ({ ...clone(e), request_hash: null, result: null, subject_id: null }));
  }
}

class MemoryStatistics implements StatisticsStore {
  constructor(private readonly s: State) {}

  async upsert(subjectId: string, a: StatisticsAttributes): Promise<void> {
    if (a.province === undefined && a.birthYear === undefined && a.sex === undefined && a.insuranceStatus === undefined) return;
    const p = this.s.profiles.get(subjectId) ?? { optedOut: false };
    this.s.profiles.set(subjectId, {
      ...p,
      ...(a.province !== undefined ? { province: a.province } : {}),
      ...(a.birthYear !== undefined ? { birthYear: a.birthYear } : {}),
      ...(a.sex !== undefined ? { sex: a.sex } : {}),
      ...(a.insuranceStatus !== undefined ? { insuranceStatus: a.insuranceStatus } : {}),
    });
  }

  async setOptOut(subjectId: string, optedOut: boolean): Promise<void> {
    this.s.profiles.set(subjectId, { ...(this.s.profiles.get(subjectId) ?? {}), optedOut });
  }

  async optedOut(subjectId: string): Promise<boolean> {
    return this.s.profiles.get(subjectId)?.optedOut ?? false;
  }

  async counts(groupBy: readonly Dimension[], filter: StatisticsFilter, at: Date): Promise<Cell[]> {
    const years = filter.ageBand ? birthYearsOf(filter.ageBand, at) : undefined;
    const value = (p: Profile, d: Dimension): string | null => {
      if (d === 'ageBand') return p.birthYear ? ageBand(p.birthYear, at) : null;
      return p[d] || null;
    };
    const cells = new Map<string, Cell>();
    for (const p of this.s.profiles.values()) {
      if (p.optedOut) continue;
      if (filter.province !== undefined && p.province !== filter.province) continue;
      if (filter.sex !== undefined && p.sex !== filter.sex) continue;
      if (filter.insuranceStatus !== undefined && p.insuranceStatus !== filter.insuranceStatus) continue;
      if (years && !(p.birthYear !== undefined && p.birthYear >= years.from && p.birthYear <= years.to)) continue;
      const key = JSON.stringify(groupBy.map((d) => value(p, d)));
      const cell = cells.get(key) ?? (Object.assign({ count: 0 }, ...groupBy.map((d) => ({ [d]: value(p, d) }))) as Cell);
      cell.count++;
      cells.set(key, cell);
    }
    return [...cells.values()];
  }
}

class MemorySettlement implements SettlementStore {
  constructor(private readonly s: State) {}

  async periodUsage(period: string, scope: { buyerOrgId?: string; partyOrgId?: string; licenceIds?: string[] }): Promise<PeriodUsageRow[]> {
    const start = new Date(`${period}-01T00:00:00.000Z`);
    const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    const rows: PeriodUsageRow[] = [];
    for (const l of [...this.s.licences.values()].sort(byTimeThenId((x) => (x as LicenceRow).issued_at))) {
      const p = this.s.products.get(l.product_id)!;
      const events = this.s.events.filter((e) => e.licence_id === l.id && e.period === period);
      const statement = this.s.statements.get(`${l.id}|${period}`);
      const valid = l.valid_from < end && l.valid_until > start;
      if (!(valid || events.length > 0 || statement)) continue;
      if (scope.buyerOrgId && l.buyer_org_id !== scope.buyerOrgId) continue;
      if (scope.partyOrgId && l.buyer_org_id !== scope.partyOrgId && p.provider_org_id !== scope.partyOrgId) continue;
      if (scope.licenceIds && !scope.licenceIds.includes(l.id)) continue;
      rows.push({
        licence_id: l.id,
        product_id: l.product_id,
        kind: p.kind,
        buyer_org_id: l.buyer_org_id,
        provider_org_id: p.provider_org_id,
        plan: clone(l.plan),
        status: l.status,
        valid_from: new Date(l.valid_from),
        valid_until: new Date(l.valid_until),
        updated_at: new Date(l.updated_at),
        calls: events.length,
        units: events.reduce((n, e) => n + BigInt(e.units), 0n).toString(),
        usage_dong: events.reduce((n, e) => n + BigInt(e.amount_dong), 0n).toString(),
        statement_units: statement?.units ?? null,
        statement_amount: statement?.amount_dong ?? null,
        anchor_tx_id: statement?.anchor_tx_id ?? null,
        anchored_at: statement ? new Date(statement.anchored_at) : null,
      });
    }
    return rows;
  }

  async recordsReadAlongside(subjectId: string, period: string): Promise<{ licence_id: string; subject_id: string; units: string }[]> {
    const inPeriod = this.s.events.filter((e) => e.period === period && e.subject_id !== null);
    const licences = new Set(inPeriod.filter((e) => e.subject_id === subjectId).map((e) => e.licence_id));
    const sums = new Map<string, bigint>();
    for (const e of inPeriod.filter((x) => licences.has(x.licence_id)))
      sums.set(`${e.licence_id}|${e.subject_id}`, (sums.get(`${e.licence_id}|${e.subject_id}`) ?? 0n) + BigInt(e.units));
    return [...sums.entries()]
      .map(([k, units]) => {
        const [licence_id, subject_id] = k.split('|') as [string, string];
        return { licence_id, subject_id, units: units.toString() };
      })
      .sort((a, b) =>
        a.licence_id !== b.licence_id ? (a.licence_id < b.licence_id ? -1 : 1) : a.subject_id < b.subject_id ? -1 : a.subject_id > b.subject_id ? 1 : 0,
      );
  }

  async insertStatement(st: NewStatement): Promise<void> {
    const key = `${st.licenceId}|${st.period}`;
    if (!this.s.licences.has(st.licenceId)) throw new Error(`no licence ${st.licenceId}`);
    if (this.s.statements.has(key)) return;
    this.s.statements.set(key, {
      units: String(st.units),
      amount_dong: st.amountDong,
      split: clone(st.split),
      anchor_tx_id: st.txId,
      anchored_at: new Date(st.anchoredAt),
    });
  }

  async listedProducts(): Promise<{ kind: string; n: number }[]> {
    const counts = new Map<string, number>();
    for (const p of this.s.products.values()) if (p.status === 'LISTED') counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => ({ kind, n }));
  }

  async activeLicences(at: Date): Promise<number> {
    return [...this.s.licences.values()].filter((l) => l.status === 'ACTIVE' && l.valid_from <= at && l.valid_until > at).length;
  }
}

/**
 * The exchange's four stores in memory, over one shared state, for fast unit tests of its
 * services: they pass the same contract tests as the Postgres stores. Providers' names and
 * statuses come from the organisation directory, as the Postgres stores join the organisations table.
 */
export function memoryExchangeStores(organizations: OrganizationDirectory): ExchangeStores {
  const state = new State(organizations);
  return {
    products: new MemoryProducts(state),
    metering: new MemoryMetering(state),
    statistics: new MemoryStatistics(state),
    settlement: new MemorySettlement(state),
  };
}
