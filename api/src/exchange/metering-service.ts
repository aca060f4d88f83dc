import { createHash, randomInt } from 'node:crypto';
import { canonicalJson, evaluateLicenceUse, type Licence, type LicenceDenial, type Product } from '@citizen-vault/chaincode/rules';
import { DomainError, type ErrorCode } from '../errors/index.js';
import { newId } from '../ids.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { Organization } from '../organizations/index.js';
import { toMicroEpsilon } from './laplace-noise.js';
import { sameRequest, type MeteringEventRow, type MeterOutcome, type MeterRequest } from './metering-records.js';
import type { ConsentedRecords, LicenceUseLog, MeteringStore, ProductStore, StatisticsStore, UsableLicence } from './ports.js';
import type { LicenceRow, ProductRow } from './product-records.js';
import type { StatisticsFilter } from './statistics-records.js';
import { periodOf, quotaLimits, usageAmount, windowKey } from './pricing.js';
import { DEFAULT_MIN_COHORT } from './prelisting-check.js';
import type { Dimension } from './exchange-vocabulary.js';
import { protectCells, type Cell } from './statistics-query.js';
import { UsableLicences } from './usable-licences.js';

const DENIAL: Record<LicenceDenial, ErrorCode> = {
  licence_not_active: 'licence_not_active',
  licence_not_yet_valid: 'licence_not_yet_valid',
  licence_expired: 'licence_expired',
  product_not_listed: 'product_not_serving',
  purpose_not_permitted: 'purpose_not_permitted',
  action_prohibited: 'forbidden',
  cross_border_not_permitted: 'forbidden',
  quota_exceeded: 'quota_exceeded',
};

export interface AggregateQuery {
  licenceId: string;
  groupBy: Dimension[];
  filters: StatisticsFilter;
}

export interface Metering {
  eventId: string;
  units: number;
  amountDong: string;
  leafIndex: number | null;
  replayed: boolean;
}

export interface AggregateResult {
  cells: Cell[];
  suppressedCells: number;
  minCohortSize: number;
  noise: { mechanism: 'laplace'; epsilon: number } | null;
}

/** A uniform number in (0, 1) from the operating system's CSPRNG: noise a buyer cannot predict. */
const cryptoUniform = (): number => (randomInt(1, 2 ** 48 - 1) as number) / 2 ** 48;

/**
 * The metered uses of a licence: an aggregate query (statistics from the projection, small cells
 * suppressed, opt-outs left out, optional Laplace noise against a per-licence ε budget) or a
 * consented read (one record, under the buyer's consent from the citizen). Each is checked against
 * the licence and its product's terms, then billed exactly once per request key.
 */
export class MeteringService {
  /** The licences checked lately; each use's billing statement checks the copy is still current. */
  private readonly usableLicences = new UsableLicences();

  constructor(
    private readonly products: ProductStore,
    private readonly metering: MeteringStore,
    private readonly statistics: StatisticsStore,
    private readonly consents: ConsentedRecords,
    private readonly accessLog: LicenceUseLog | undefined,
    private readonly clock: Clock = systemClock,
    private readonly uniform: () => number = cryptoUniform,
  ) {}

  async query(
    buyer: Organization,
    productId: string,
    q: AggregateQuery,
    requestKey: string | undefined,
  ): Promise<AggregateResult & { licenceId: string; productId: string; metering: Metering }> {
    return againIfStale(() => this.queryOnce(buyer, productId, q, requestKey));
  }

  /** One consented record under a CONSENTED product: the product's fields, read through the buyer's consent, billed per record. */
  async read(buyer: Organization, productId: string, licenceId: string, consentId: string, requestKey: string | undefined) {
    return againIfStale(() => this.readOnce(buyer, productId, licenceId, consentId, requestKey));
  }

  private async queryOnce(
    buyer: Organization,
    productId: string,
    q: AggregateQuery,
    requestKey: string | undefined,
  ): Promise<AggregateResult & { licenceId: string; productId: string; metering: Metering }> {
    const at = this.clock.now();
    const usable = await this.usable(buyer, productId, q.licenceId, 'AGGREGATE', at);
    const { licence, product } = usable;
    const spec = 'aggregate' in product.spec ? product.spec.aggregate : undefined;
    if (!spec) throw new DomainError('invalid_request', 'this product is not an aggregate product');
    const asked = [...q.groupBy, ...(Object.keys(q.filters) as Dimension[])];
    const unknown = asked.filter((d) => !spec.dimensions.includes(d));
    if (unknown.length > 0) {
      throw new DomainError('invalid_request', `this product offers ${spec.dimensions.join(', ')} only`, {
        errors: unknown.map((d) => ({ path: '/groupBy', message: `${d} is not a dimension of this product` })),
      });
    }
    const key = requestKey ?? newId(at.getTime());
    const requestHash = fingerprint({ use: 'query', productId, groupBy: q.groupBy, filters: q.filters });
    if (requestKey) {
      const replay = await this.metering.existing(licence.id, requestKey);
      if (replay && !sameRequest(replay, requestHash)) throw keyReused();
      if (replay) return { ...(replay.result as AggregateResult), licenceId: licence.id, productId, metering: await this.withLeaf(replay, true, product) };
    }
    const minCohortSize = product.terms.minCohortSize ?? DEFAULT_MIN_COHORT;
    const epsilon = spec.privacy?.epsilonPerQuery;
    const epsilonMicro = epsilon ? toMicroEpsilon(epsilon) : 0n;
    const protect = (counts: Cell[]): AggregateResult => ({
      ...protectCells(counts, minCohortSize, epsilon ? { epsilon, uniform: this.uniform } : undefined),
      minCohortSize,
      noise: epsilon ? { mechanism: 'laplace', epsilon } : null,
    });
    if (!requestKey) {
      // No key, so no retry can ask for this answer again: nothing to keep, and the use is billed and counted in one statement.
      const request = this.meterRequest(usable, key, requestHash, 1, epsilonMicro, undefined, at);
      const { outcome, counts } = await this.metering.meterCounting(request, { groupBy: q.groupBy, filter: q.filters, at });
      const event = this.settled(outcome, licence.id);
      const answer = event.replayed ? (event.row.result as AggregateResult) : protect(counts);
      return { ...answer, licenceId: licence.id, productId, metering: await this.withLeaf(event.row, event.replayed, product) };
    }
    const result = protect(await this.statistics.counts(q.groupBy, q.filters, at));
    const event = await this.bill(usable, key, requestHash, 1, epsilonMicro, result, at);
    // A retry that lost the race gets the first answer, noise included: asking again must not buy fresh noise.
    const answer = event.replayed ? (event.row.result as AggregateResult) : result;
    return { ...answer, licenceId: licence.id, productId, metering: await this.withLeaf(event.row, event.replayed, product) };
  }

  private async readOnce(buyer: Organization, productId: string, licenceId: string, consentId: string, requestKey: string | undefined) {
    const at = this.clock.now();
    // The consent is looked up while the licence is checked (a read-only lookup); the licence's refusal, if any, comes first.
    const lookup = this.consents.forConsumer(buyer.id, consentId);
    lookup.catch(() => undefined);
    const usable = await this.usable(buyer, productId, licenceId, 'CONSENTED', at);
    const { licence, product } = usable;
    const spec = 'consented' in product.spec ? product.spec.consented : undefined;
    if (!spec) throw new DomainError('invalid_request', 'this product is not a consented product');
    const consent = await lookup;
    if (consent.purpose !== spec.purpose)
      throw new DomainError('purpose_not_permitted', `this product serves consents for ${spec.purpose}, not ${consent.purpose}`);
    let data: Awaited<ReturnType<ConsentedRecords['read']>> | undefined;
    // A replay must be the same read: the same record of the same citizen, or the key is refused —
    // never another citizen's record for free.
    const requestHash = fingerprint({ use: 'read', productId, consentId });
    const event = await this.bill(
      usable,
      requestKey ?? newId(at.getTime()),
      requestHash,
      1,
      0n,
      undefined,
      at,
      async () => {
        data = await this.consents.read(buyer, consentId, spec.fields);
      },
      consent.subject_id,
    );
    // A retry of a read already billed reads again (recorded as another access), without billing again.
    data ??= await this.consents.read(buyer, consentId, spec.fields);
    return {
      licenceId: licence.id,
      productId,
      consentId,
      subjectId: data.consent.subject_id,
      fields: data.fields,
      provenance: data.provenance,
      metering: await this.withLeaf(event.row, event.replayed, product),
    };
  }

  /**
   * The licence and its product, if this buyer may use them now: from the kept copy when it allows
   * the use (its billing checks it is still current), otherwise read again — a refusal always
   * stands on a fresh read, so a product reinstated or a provider verified again is seen at once.
   */
  private async usable(buyer: Organization, productId: string, licenceId: string, kind: ProductRow['kind'], at: Date): Promise<UsableLicence> {
    const kept = this.usableLicences.get(licenceId);
    if (kept && !refusal(kept, buyer, productId, licenceId, kind, at)) return kept;
    const found = await this.products.usableLicence(licenceId);
    const refused = refusal(found, buyer, productId, licenceId, kind, at);
    if (refused) {
      this.usableLicences.drop(licenceId);
      throw refused;
    }
    this.usableLicences.keep(found!);
    return found!;
  }

  private async bill(
    usable: UsableLicence,
    requestKey: string,
    requestHash: string,
    units: number,
    epsilonMicro: bigint,
    result: unknown,
    at: Date,
    during?: () => Promise<void>,
    subjectId?: string,
  ): Promise<{ row: MeteringEventRow; replayed: boolean }> {
    const request = this.meterRequest(usable, requestKey, requestHash, units, epsilonMicro, result, at, subjectId);
    return this.settled(await this.metering.meter(request, during), usable.licence.id);
  }

  private meterRequest(
    { licence, version }: UsableLicence,
    requestKey: string,
    requestHash: string,
    units: number,
    epsilonMicro: bigint,
    result: unknown,
    at: Date,
    subjectId?: string,
  ): MeterRequest {
    return {
      id: newId(at.getTime()),
      licenceId: licence.id,
      requestKey,
      requestHash,
      period: periodOf(at),
      units,
      amountDong: usageAmount(licence.plan, units),
      epsilonMicro,
      windows: quotaLimits(licence.quota, licence.plan).map((l) => ({ key: windowKey(l, at), limit: l.units })),
      result,
      ...(subjectId ? { subjectId } : {}),
      expectedVersion: version,
      // A billed use is answered only after `withLeaf` appended its leaf, durably, to the log (when there is one).
      durableWithLeaf: this.accessLog !== undefined,
      at,
    };
  }

  /** The billed (or replayed) use, or the refusal as the buyer is told it. */
  private settled(outcome: MeterOutcome, licenceId: string): { row: MeteringEventRow; replayed: boolean } {
    switch (outcome.outcome) {
      case 'quota_exceeded':
        throw new DomainError('quota_exceeded', `the licence's quota of ${outcome.limit} units (${outcome.window}) is used up`, {
          quota: { window: outcome.window, limit: outcome.limit },
        });
      case 'key_reused':
        throw keyReused();
      case 'privacy_budget_exhausted':
        throw new DomainError('privacy_budget_exhausted', 'the licence has spent its privacy budget (ε); no further statistics can be released under it');
      case 'stale':
        // The licence or its product changed since the kept copy was read: nothing was billed; check again.
        this.usableLicences.drop(licenceId);
        throw new StaleLicence();
      default:
        return { row: outcome.event, replayed: outcome.outcome === 'replayed' };
    }
  }

  /** The use's leaf in the access log, appended now if an earlier attempt could not. */
  private async withLeaf(row: MeteringEventRow, replayed: boolean, product: ProductRow): Promise<Metering> {
    let leafIndex = row.leaf_index === null ? null : Number(row.leaf_index);
    if (leafIndex === null && this.accessLog) {
      // The link is written with the leaf, in its transaction, where the log can: one WAL flush less per use.
      const appended = await this.accessLog.append(
        'licence_use',
        {
          meteringId: row.id,
          licenceId: row.licence_id,
          productId: product.id,
          units: row.units,
          amountDong: String(row.amount_dong),
          period: row.period,
          at: row.at.toISOString(),
        },
        undefined,
        { table: 'metering_events', id: row.id },
      );
      leafIndex = appended.leafIndex;
      if (!appended.linked) await this.metering.setLeaf(row.id, leafIndex);
    }
    return { eventId: row.id, units: row.units, amountDong: String(row.amount_dong), leafIndex, replayed };
  }
}

/** A use checked against a licence that changed before it was billed: nothing was billed, and the use is checked again. */
class StaleLicence extends Error {}

const STALE_ATTEMPTS = 5;

async function againIfStale<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof StaleLicence)) throw err;
      if (attempt >= STALE_ATTEMPTS) throw new DomainError('conflict', 'the licence or its product kept changing during the request; try again');
    }
  }
}

/** Why this buyer may not use the licence for this product now, or nothing if it may. */
function refusal(
  found: UsableLicence | undefined,
  buyer: Organization,
  productId: string,
  licenceId: string,
  kind: ProductRow['kind'],
  at: Date,
): DomainError | undefined {
  if (!found || found.licence.buyer_org_id !== buyer.id || found.product.id !== productId)
    return new DomainError('not_found', `licence ${licenceId} for product ${productId} does not exist`);
  const { licence, product } = found;
  if (product.provider_status !== 'VERIFIED') return new DomainError('product_not_serving', `the provider of product ${productId} is suspended`);
  if (product.kind !== kind) return new DomainError('invalid_request', `product ${productId} is ${product.kind}, not ${kind}`);
  const decision = evaluateLicenceUse(asLedgerLicence(licence), asLedgerProduct(product), {
    purpose: licence.purpose,
    at: at.toISOString(),
    units: 1,
    usedUnits: 0,
  });
  return decision.allowed ? undefined : new DomainError(DENIAL[decision.reason], decision.explanation);
}

function fingerprint(request: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function keyReused(): DomainError {
  return new DomainError('idempotency_key_reused', 'this Idempotency-Key was used for a different request under this licence');
}

function asLedgerLicence(l: LicenceRow): Licence {
  return {
    id: l.id,
    productId: l.product_id,
    planId: l.plan_id,
    buyerOrgId: l.buyer_org_id,
    purpose: l.purpose,
    validFrom: l.valid_from.toISOString(),
    validUntil: l.valid_until.toISOString(),
    status: l.status,
    termsHash: l.terms_hash,
    quota: null, // quotas are taken atomically by the metering store
    issuedAt: l.issued_at.toISOString(),
    updatedAt: l.updated_at.toISOString(),
  };
}

function asLedgerProduct(p: ProductRow): Product {
  return {
    id: p.id,
    providerOrgId: p.provider_org_id,
    kind: p.kind,
    terms: p.terms,
    plans: p.plans,
    descriptionHash: p.description_hash,
    status: p.status,
    termsHash: p.terms_hash ?? '',
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}
