import type { ProductStatus } from '@citizen-vault/chaincode/rules';
import type { Organization } from '../organizations/index.js';
import type { MeterOutcome, MeterRequest, MeteringEventRow } from './metering-records.js';
import type { CatalogueQuery, LicenceRow, ProductRow } from './product-records.js';
import type { Dimension } from './exchange-vocabulary.js';
import type { PeriodUsageRow } from './settlement-records.js';
import type { Cell } from './statistics-query.js';
import type { StatisticsAttributes, StatisticsFilter } from './statistics-records.js';

/** The exchange's read model of products and licences (the ledger is their source of truth). */
export interface ProductStore {
  insertProduct(p: Omit<ProductRow, 'provider_name' | 'provider_status' | 'terms_hash' | 'rejection_reason' | 'on_ledger'>): Promise<void>;
  product(id: string): Promise<ProductRow | undefined>;
  /** The ids of a provider's products in the given statuses. */
  productIdsOf(providerOrgId: string, statuses: readonly ProductStatus[]): Promise<string[]>;
  /** Writes the state a committed ledger transaction produced, unless a later one is already there. */
  applyProductState(id: string, s: { status: ProductStatus; termsHash: string; rejectionReason: string | null; updatedAt: string }): Promise<void>;
  /** A page of products, newest first, and how many match. */
  catalogue(query: CatalogueQuery): Promise<{ items: ProductRow[]; total: number }>;
  insertLicence(l: LicenceRow): Promise<void>;
  licence(id: string): Promise<LicenceRow | undefined>;
  /** A licence and its product in one round trip. */
  licenceWithProduct(id: string): Promise<{ licence: LicenceRow; product: ProductRow } | undefined>;
  /**
   * A licence and its product, with the version of everything a licence check reads (the
   * licence's and the product's state, the product's terms, the provider's status): a metered use
   * checked against a kept copy is billed only if its version is still current (`MeterRequest.expectedVersion`).
   */
  usableLicence(id: string): Promise<UsableLicence | undefined>;
  /** Licences, newest first: a buyer's, or those of a provider's products, or all. */
  licences(filter: { buyerOrgId?: string; providerOrgId?: string }, limit: number, offset: number): Promise<LicenceRow[]>;
  /** Writes a licence's committed state, unless a later one is already there. */
  applyLicenceState(id: string, status: LicenceRow['status'], updatedAt: string): Promise<void>;
}

/** What an aggregate query counts. */
export interface CountsQuery {
  groupBy: readonly Dimension[];
  filter: StatisticsFilter;
  at: Date;
}

/** A licence as a metered use checks it, and the version it was read at. */
export interface UsableLicence {
  licence: LicenceRow;
  product: ProductRow;
  version: string;
}

/** Metering: every billable use recorded once per (licence, request key), quotas and privacy budgets taken atomically. */
export interface MeteringStore {
  /**
   * Atomically: records the use under its request key (a retry finds the first record: `replayed`;
   * another request under the same key: `key_reused`), takes its units from every quota window and
   * its ε from the licence's privacy budget, and runs `during`; a refusal or a throw bills nothing.
   * With `expectedVersion`, first checks the licence is still as the caller checked it (`stale` if not).
   */
  meter(r: MeterRequest, during?: () => Promise<void>): Promise<MeterOutcome>;
  /**
   * Bills an aggregate query that has no request key (so no answer to keep for a replay: `result`
   * is not kept) as `meter` does, and computes its true counts (as `StatisticsStore.counts`) in the
   * same statement — only if billed. One round trip and one transaction for the whole use.
   */
  meterCounting(r: MeterRequest, query: CountsQuery): Promise<{ outcome: MeterOutcome; counts: Cell[] }>;
  existing(licenceId: string, requestKey: string): Promise<MeteringEventRow | undefined>;
  /** Links a metered use to its access-log leaf (once: a link already made stays). */
  setLeaf(eventId: string, leafIndex: number): Promise<void>;
  /** Units per quota window, and per month (the 24 latest) the calls, units and đồng. */
  usage(
    licenceId: string,
  ): Promise<{ windows: { window_key: string; units: string }[]; totals: { period: string; calls: number; units: string; amount_dong: string }[] }>;
  /** The latest uses, newest first, without what was asked or answered. */
  recentEvents(licenceId: string, limit: number): Promise<MeteringEventRow[]>;
}

/** The statistics projection: coarse attributes per citizen, and the opt-outs every statistic honours. */
/** What data-subject rights do to the statistics projection: an erased citizen leaves it, a restricted one is left out of counts. */
export interface StatisticsExclusion {
  forget(subjectId: string): Promise<void>;
  setRestricted(subjectId: string, restricted: boolean): Promise<void>;
}

export interface StatisticsStore {
  /** Merges the attributes one deposited record contributes (`undefined` leaves one as it is). */
  upsert(subjectId: string, a: StatisticsAttributes): Promise<void>;
  setOptOut(subjectId: string, optedOut: boolean): Promise<void>;
  optedOut(subjectId: string): Promise<boolean>;
  /** True counts per combination of the grouping dimensions, opted-out citizens left out; combinations counting none are absent. */
  counts(groupBy: readonly Dimension[], filter: StatisticsFilter, at: Date): Promise<Cell[]>;
}

/** The sums behind statements and the public statistics. */
export interface SettlementStore {
  /** Per licence that could owe something in the month: its usage in it, and its anchored statement once closed; oldest licence first. */
  periodUsage(period: string, scope: { buyerOrgId?: string; partyOrgId?: string; licenceIds?: string[] }): Promise<PeriodUsageRow[]>;
  /** Records read per citizen in a month, for every licence that read the given citizen's. */
  recordsReadAlongside(subjectId: string, period: string): Promise<{ licence_id: string; subject_id: string; units: string }[]>;
  /** Keeps a closed month's statement (the first one kept stays). */
  insertStatement(s: NewStatement): Promise<void>;
  listedProducts(): Promise<{ kind: string; n: number }[]>;
  activeLicences(at: Date): Promise<number>;
}

/** The exchange's stores over one database. */
export interface ExchangeStores {
  products: ProductStore;
  metering: MeteringStore;
  statistics: StatisticsStore;
  settlement: SettlementStore;
}

/** The ledger transactions the exchange submits and evaluates (the products and licences contracts). */
export interface ExchangeLedger {
  submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

/** A consent as a consented read needs it. */
export interface ConsentForRead {
  purpose: string;
  subject_id: string;
}

/** What a CONSENTED product needs from the consent capability: the buyer's consent, and a read under it. */
export interface ConsentedRecords {
  forConsumer(consumerOrgId: string, consentId: string): Promise<ConsentForRead>;
  read(
    consumer: Organization,
    consentId: string,
    fields: string[],
  ): Promise<{ consent: ConsentForRead; fields: Record<string, unknown>; provenance: unknown[] }>;
}

/** What the citizens' pages need from the vault: a citizen's pseudonymous subject id. */
export interface CitizenDirectory {
  /** The subject id of a national id; with `create`, made if the citizen has none yet. */
  subjectId(nationalId: string, create: boolean): Promise<string | undefined>;
}

/** Where each billable use gets its leaf in the verifiable access log (no personal data in an entry). */
export interface LicenceUseLog {
  /**
   * Appends the use's leaf; with `link`, a log that can also writes the leaf's index into the
   * metering event in the leaf's own transaction, and says so (`linked`).
   */
  append(
    kind: 'licence_use',
    entry: Record<string, unknown>,
    transactionId?: undefined,
    link?: { table: 'metering_events'; id: string },
  ): Promise<{ leafIndex: number; linked?: boolean }>;
}

/** The repair sweep's way into the exchange: rows the ledger committed but a crash kept out of the read model. */
export interface ExchangeRepair {
  repairLicence(id: string): Promise<boolean>;
  repairProduct(id: string): Promise<boolean>;
}

/** A closed month's statement for one licence, as anchored on the ledger. */
export interface NewStatement {
  licenceId: string;
  period: string;
  units: number;
  amountDong: string;
  split: Record<string, string>;
  txId: string;
  anchoredAt: string;
}
