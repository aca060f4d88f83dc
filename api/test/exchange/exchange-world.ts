import {
  createExchange,
  memoryExchangeStores,
  type ConsentedRecords,
  type Exchange,
  type ExchangeStores,
  type LicenceUseLog,
} from '../../src/exchange/index.js';
import type { ProductBodyValue } from '../../src/exchange/product-schemas.js';
import { MemoryOrganizationStore, type Organization, type OrganizationRole } from '../../src/organizations/index.js';
import { addOrganization, TestClock } from '../support/fixtures.js';
import { RulesLedger } from '../support/rules-ledger.js';
import { aggregateBody } from './exchange-fixtures.js';

export const SHARES = { stateBudgetBps: 1000, operatorBps: 500, citizensBps: 2000 };

/**
 * The exchange over its ports only: in-memory stores (held to the Postgres stores' contract), the
 * chaincode's rules as the ledger, a test clock, and whatever consents and access log a test gives.
 */
export class ExchangeWorld {
  readonly clock = new TestClock(new Date('2026-03-10T10:00:00.000Z'));
  readonly organizations = new MemoryOrganizationStore(this.clock);
  readonly ledger = new RulesLedger(() => this.clock.now());
  readonly stores: ExchangeStores = memoryExchangeStores(this.organizations);
  readonly exchange: Exchange;
  readonly logged: Record<string, unknown>[] = [];
  readonly accessLog: LicenceUseLog = {
    append: async (_kind, entry) => {
      this.logged.push(entry);
      return { leafIndex: this.logged.length - 1 };
    },
  };

  constructor(deps: { consents?: ConsentedRecords; uniform?: () => number; citizens?: Map<string, string> } = {}) {
    const citizens = deps.citizens ?? new Map<string, string>();
    this.exchange = createExchange({
      stores: this.stores,
      ledger: this.ledger,
      consents: deps.consents ?? {
        forConsumer: () => Promise.reject(new Error('no consents in this test')),
        read: () => Promise.reject(new Error('no consents in this test')),
      },
      citizens: { subjectId: async (nationalId) => citizens.get(nationalId) },
      shares: SHARES,
      accessLog: this.accessLog,
      clock: this.clock,
      ...(deps.uniform ? { uniform: deps.uniform } : {}),
    });
  }

  /** An organisation both the API's store and the ledger know, as registration leaves it. */
  async organization(roles: OrganizationRole[]): Promise<Organization> {
    const org = await addOrganization(this.organizations, roles);
    await this.ledger.submit('organizations', 'RegisterOrganization', JSON.stringify({ id: org.id, mspId: org.mspId, roles }));
    return org;
  }

  /** A product drafted, submitted and approved: listed, with its terms hash. */
  async listed(provider: Organization, body: ProductBodyValue = aggregateBody()) {
    const draft = await this.exchange.products.create(provider, body);
    await this.exchange.products.submit(provider, draft.id);
    return this.exchange.products.review(draft.id, 'approve');
  }

  /** A listed product and a licence to it under the given plan. */
  async licensed(provider: Organization, buyer: Organization, body: ProductBodyValue = aggregateBody(), planId = body.plans[0]!.id) {
    const product = await this.listed(provider, body);
    const licence = await this.exchange.products.issueLicence(buyer, {
      productId: product.id,
      planId,
      purpose: 'academic_research',
      termsHash: product.terms_hash!,
    });
    return { product, licence };
  }
}
