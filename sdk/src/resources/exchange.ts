import type { HttpClient } from '../http.js';

export type ProductKind = 'AGGREGATE' | 'CONSENTED' | 'DATASET';
export type ProductStatus = 'DRAFT' | 'PENDING_REVIEW' | 'LISTED' | 'SUSPENDED' | 'DELISTED';
export type Dimension = 'province' | 'ageBand' | 'sex' | 'insuranceStatus';

export interface PricingPlan {
  id: string;
  kind: 'PAY_PER_QUERY' | 'PER_RECORD' | 'SUBSCRIPTION' | 'FREE';
  /** Whole đồng, as a decimal string. */
  priceDong: string;
  /** SUBSCRIPTION and FREE: the units included each month. */
  includedUnits?: number;
}

export interface LicenceTerms {
  permittedPurposes: string[];
  durationDays: number;
  prohibitedActions: ('re_identification' | 'resale' | 'onward_transfer' | 'profiling' | 'linkage')[];
  crossBorder: boolean;
  attribution: boolean;
  quota?: { units: number; per: 'DAY' | 'MONTH' | 'LICENCE' } | null;
  minCohortSize?: number;
}

export interface ProductRequest {
  title: { vi: string; en: string };
  description: { vi: string; en: string };
  kind: ProductKind;
  outputSchema: Record<string, unknown>;
  terms: LicenceTerms;
  plans: PricingPlan[];
  aggregate?: { dimensions: Dimension[]; privacy?: { epsilonPerQuery: number; budgetPerLicence: number } };
  consented?: { purpose: string; fields: string[] };
  dataset?: { format: 'CSV' | 'JSON' | 'PARQUET'; recordCount: number };
}

export interface Product extends ProductRequest {
  id: string;
  status: ProductStatus;
  provider: { id: string; name: string };
  /** What a buyer accepts when it takes a licence. */
  termsHash: string | null;
  prelistingFlags?: { code: string; severity: 'block' | 'warn'; message: string }[];
}

export interface Licence {
  id: string;
  productId: string;
  planId: string;
  purpose: string;
  status: 'ACTIVE' | 'CANCELLED';
  validFrom: string;
  validUntil: string;
  privacyBudget: { epsilon: number; spent: number; remaining: number } | null;
}

export interface Metering {
  eventId: string;
  units: number;
  amountDong: string;
  /** The use's leaf in the verifiable access log. */
  leafIndex: number | null;
  /** True when this answer is a retry's: billed once, the first time. */
  replayed: boolean;
}

export interface Statistics {
  cells: (Partial<Record<Dimension, string | null>> & { count: number })[];
  suppressedCells: number;
  minCohortSize: number;
  noise: { mechanism: 'laplace'; epsilon: number } | null;
  metering: Metering;
}

export interface Invoice {
  licenceId: string;
  productId: string;
  period: string;
  units: number;
  totalDong: string;
  split: { provider: string; operator: string; stateBudget: string; citizens: string };
  status: 'OPEN' | 'ANCHORED';
  anchor: { transactionId: string; anchoredAt: string; matchesLedger?: boolean } | null;
}

/** The data exchange, for providers and buyers: list products, take licences, query, read, and follow usage and invoices. */
export class Exchange {
  constructor(private readonly http: HttpClient) {}

  /**
   * The public catalogue.
   *
   * @example
   * const { items } = await vault.exchange.catalogue({ q: 'bảo hiểm', kind: 'AGGREGATE' });
   */
  async catalogue(options: { q?: string; kind?: ProductKind; limit?: number; offset?: number } = {}): Promise<{ items: Product[]; total: number }> {
    return (await this.http.request<{ items: Product[]; total: number }>('GET', '/v1/products', { query: options })).body;
  }

  /** @example const product = await vault.exchange.product(id); */
  async product(id: string): Promise<Product> {
    return (await this.http.request<Product>('GET', `/v1/products/${encodeURIComponent(id)}`)).body;
  }

  /**
   * Drafts a product (providers); the pre-listing check's flags come back on it.
   *
   * @example
   * const draft = await vault.exchange.createProduct({ title, description, kind: 'AGGREGATE', outputSchema, terms, plans, aggregate: { dimensions: ['province'] } });
   */
  async createProduct(input: ProductRequest): Promise<Product> {
    return (await this.http.request<Product>('POST', '/v1/products', { body: input })).body;
  }

  /** @example await vault.exchange.submit(draft.id); // pending the operator's review */
  async submit(productId: string): Promise<Product> {
    return (await this.http.request<Product>('POST', `/v1/products/${encodeURIComponent(productId)}/submit`, { body: {} })).body;
  }

  /**
   * Takes a licence (buyers): accepts the product's current terms (`termsHash`) and a plan, for a purpose.
   *
   * @example
   * const licence = await vault.exchange.license(product, { planId: 'per-query', purpose: 'academic_research' });
   */
  async license(product: Pick<Product, 'id' | 'termsHash'>, input: { planId: string; purpose: string; validUntil?: Date | string }): Promise<Licence> {
    const body = {
      productId: product.id,
      planId: input.planId,
      purpose: input.purpose,
      acceptTerms: product.termsHash,
      ...(input.validUntil ? { validUntil: new Date(input.validUntil).toISOString() } : {}),
    };
    return (await this.http.request<Licence>('POST', '/v1/licences', { body })).body;
  }

  /** @example await vault.exchange.cancel(licence.id); */
  async cancel(licenceId: string): Promise<Licence> {
    return (await this.http.request<Licence>('POST', `/v1/licences/${encodeURIComponent(licenceId)}/cancel`, { body: {} })).body;
  }

  /**
   * Statistics from an AGGREGATE product. Retries reuse one Idempotency-Key, so a query is billed once.
   *
   * @example
   * const stats = await vault.exchange.query(product.id, { licenceId, groupBy: ['province', 'ageBand'] });
   */
  async query(productId: string, input: { licenceId: string; groupBy?: Dimension[]; filters?: Partial<Record<Dimension, string>> }): Promise<Statistics> {
    return (await this.http.request<Statistics>('POST', `/v1/products/${encodeURIComponent(productId)}/query`, { body: input })).body;
  }

  /**
   * One consented record under a CONSENTED product, billed per record; retries carry one Idempotency-Key.
   *
   * @example
   * const record = await vault.exchange.readRecord(product.id, consent.id, licence.id);
   */
  async readRecord(productId: string, consentId: string, licenceId: string): Promise<{ fields: Record<string, unknown>; metering: Metering }> {
    const path = `/v1/products/${encodeURIComponent(productId)}/records/${encodeURIComponent(consentId)}`;
    return (
      await this.http.request<{ fields: Record<string, unknown>; metering: Metering }>('GET', path, {
        query: { licenceId },
        idempotencyKey: crypto.randomUUID(),
      })
    ).body;
  }

  /** @example const { periods } = await vault.exchange.usage(licence.id); */
  async usage(licenceId: string): Promise<{
    licence: Licence;
    windows: { window: string; units: number }[];
    periods: { period: string; calls: number; units: number; amountDong: string }[];
  }> {
    return (
      await this.http.request<{
        licence: Licence;
        windows: { window: string; units: number }[];
        periods: { period: string; calls: number; units: number; amountDong: string }[];
      }>('GET', `/v1/licences/${encodeURIComponent(licenceId)}/usage`)
    ).body;
  }

  /**
   * The month's statements; `verify` checks each anchored total against the ledger.
   *
   * @example
   * const { items } = await vault.exchange.invoices('2026-11', { verify: true });
   */
  async invoices(period: string, options: { verify?: boolean } = {}): Promise<{ items: Invoice[]; roundingRule: string }> {
    return (
      await this.http.request<{ items: Invoice[]; roundingRule: string }>('GET', '/v1/invoices', {
        query: { period, ...(options.verify ? { verify: 'true' } : {}) },
      })
    ).body;
  }
}

/** The exchange operator's review of listings and closing of months. */
export class ExchangeReview {
  constructor(private readonly http: HttpClient) {}

  /**
   * @example
   * await operator.exchange.review(productId, 'approve');
   * await operator.exchange.review(otherId, 'reject', 'unclear_terms');
   */
  async review(productId: string, action: 'approve' | 'reject' | 'suspend' | 'reinstate' | 'delist', reason?: string): Promise<Product> {
    return (
      await this.http.request<Product>('POST', `/v1/products/${encodeURIComponent(productId)}/${action}`, {
        body: action === 'reject' ? { reason: reason ?? 'other' } : {},
      })
    ).body;
  }

  /** @example await operator.exchange.closePeriod('2026-10'); // anchors every statement of October */
  async closePeriod(period: string): Promise<{ items: Invoice[] }> {
    return (await this.http.request<{ items: Invoice[] }>('POST', '/v1/invoices/close', { body: { period } })).body;
  }
}
