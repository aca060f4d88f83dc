import { createHash } from 'node:crypto';
import { canonicalJson, type ProductStatus } from '@citizen-vault/chaincode/rules';
import { DomainError } from '../errors/index.js';
import { newId } from '../ids.js';
import { systemClock, type Clock } from '../infra/clock.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { Organization } from '../organizations/index.js';
import type { ExchangeLedger, ExchangeRepair, ProductStore } from './ports.js';
import type { CatalogueQuery, LicenceRow, ProductRow } from './product-records.js';
import { prelistingCheck } from './prelisting-check.js';
import type { ProductBodyValue, ProductSpec } from './product-schemas.js';
import { toMicroEpsilon } from './laplace-noise.js';

export type ReviewAction = 'approve' | 'reject' | 'suspend' | 'reinstate' | 'delist';
const TRANSACTION: Record<ReviewAction | 'submit', string> = {
  submit: 'SubmitProduct',
  approve: 'ApproveProduct',
  reject: 'RejectProduct',
  suspend: 'SuspendProduct',
  reinstate: 'ReinstateProduct',
  delist: 'DelistProduct',
};
const DAY_MS = 86_400_000;

interface LedgerProduct {
  status: ProductStatus;
  termsHash: string;
  rejectionReason?: string;
  updatedAt: string;
}
interface LedgerLicence {
  status: 'ACTIVE' | 'CANCELLED';
  termsHash: string;
  quota: LicenceRow['quota'];
  validFrom: string;
  validUntil: string;
  issuedAt: string;
  updatedAt: string;
}

/**
 * Products and licences: a provider drafts a product (kept off the ledger while it is a draft) and
 * submits it, which runs the pre-listing check and puts it on the ledger for review; the operator
 * approves, rejects, suspends, reinstates or delists it; a verified consumer takes a licence. Each
 * step is a ledger transaction whose committed state is written to the read model before the answer.
 */
export class ProductService implements ExchangeRepair {
  constructor(
    private readonly store: ProductStore,
    private readonly ledger: ExchangeLedger,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(provider: Organization, body: ProductBodyValue): Promise<ProductRow> {
    if (!provider.roles.includes('provider')) throw new DomainError('forbidden', 'only a provider organisation lists products');
    const now = this.clock.now();
    const id = newId(now.getTime());
    const spec: ProductSpec = body.aggregate ? { aggregate: body.aggregate } : body.consented ? { consented: body.consented } : { dataset: body.dataset! };
    const described = { title: body.title, description: body.description, outputSchema: body.outputSchema, spec };
    await this.store.insertProduct({
      id,
      provider_org_id: provider.id,
      kind: body.kind,
      status: 'DRAFT',
      title: body.title,
      description: body.description,
      output_schema: body.outputSchema,
      terms: body.terms,
      plans: body.plans,
      spec,
      description_hash: createHash('sha256').update(canonicalJson(described)).digest('hex'),
      prelisting_flags: prelistingCheck(body),
      created_at: now,
      updated_at: now,
    });
    return (await this.store.product(id))!;
  }

  /** A product as the caller may see it: a listed (or suspended) one by anyone, any other only by its provider or the operator. */
  async visible(id: string, caller: Organization | 'operator' | undefined): Promise<ProductRow> {
    const product = await this.store.product(id);
    const maySee =
      product && (product.status === 'LISTED' || product.status === 'SUSPENDED' || caller === 'operator' || (caller && caller.id === product.provider_org_id));
    if (!product || !maySee) throw new DomainError('not_found', `product ${id} does not exist`);
    return product;
  }

  catalogue(query: CatalogueQuery): Promise<{ items: ProductRow[]; total: number }> {
    return this.store.catalogue(query);
  }

  /** The provider sends its draft to review: refused while the pre-listing check finds a blocking problem. */
  async submit(provider: Organization, id: string): Promise<ProductRow> {
    const product = await this.store.product(id);
    if (!product || product.provider_org_id !== provider.id) throw new DomainError('not_found', `product ${id} does not exist`);
    const flags = prelistingCheck(product);
    const blocking = flags.filter((f) => f.severity === 'block');
    if (blocking.length > 0) {
      throw new DomainError('prelisting_check_failed', `the pre-listing check found ${blocking.map((f) => f.code).join(', ')}`, { flags: blocking });
    }
    if (!product.on_ledger) {
      try {
        await this.ledger.submit(
          'products',
          'CreateProduct',
          JSON.stringify({
            id: product.id,
            providerOrgId: product.provider_org_id,
            kind: product.kind,
            terms: product.terms,
            plans: product.plans,
            descriptionHash: product.description_hash,
          }),
        );
      } catch (err) {
        if (!(err instanceof LedgerError && err.code === 'already_exists')) throw err; // a retry after a crash in between
      }
    }
    return this.transition(id, 'submit');
  }

  async review(id: string, action: ReviewAction, reason?: string): Promise<ProductRow> {
    if (!(await this.store.product(id))) throw new DomainError('not_found', `product ${id} does not exist`);
    return this.transition(id, action, reason);
  }

  /**
   * A suspended provider stops selling: each of its listed products is suspended on the ledger (so
   * the ledger refuses licences too), one by one so a crash in between leaves the rest for a retry
   * of the organisation's suspension.
   */
  async suspendListingsOf(providerOrgId: string): Promise<void> {
    for (const id of await this.store.productIdsOf(providerOrgId, ['LISTED'])) {
      try {
        await this.transition(id, 'suspend');
      } catch (err) {
        if (!(err instanceof LedgerError && err.code === 'illegal_transition')) throw err;
      }
    }
  }

  async issueLicence(
    buyer: Organization,
    input: { productId: string; planId: string; purpose: string; termsHash: string; validUntil?: string },
  ): Promise<LicenceRow> {
    if (!buyer.roles.includes('consumer')) throw new DomainError('forbidden', 'only a consumer organisation buys licences');
    const product = await this.store.product(input.productId);
    if (!product || product.status !== 'LISTED') throw new DomainError('product_not_serving', `product ${input.productId} is not listed`);
    if (product.provider_status !== 'VERIFIED') throw new DomainError('product_not_serving', `the provider of product ${input.productId} is suspended`);
    if (product.terms_hash !== input.termsHash)
      throw new DomainError('conflict', "the terms accepted are not the product's current terms", { termsHash: product.terms_hash });
    const plan = product.plans.find((p) => p.id === input.planId);
    if (!plan)
      throw new DomainError('invalid_request', `product ${product.id} has no plan ${input.planId}`, { errors: [{ path: '/planId', message: 'unknown plan' }] });
    const now = this.clock.now();
    const longest = now.getTime() + product.terms.durationDays * DAY_MS;
    const until = input.validUntil ? Date.parse(input.validUntil) : longest;
    if (until <= now.getTime())
      throw new DomainError('invalid_request', 'validUntil must be in the future', { errors: [{ path: '/validUntil', message: 'in the past' }] });
    const id = newId(now.getTime());
    const committed = await this.submitJson<LedgerLicence>(
      'licences',
      'IssueLicence',
      JSON.stringify({
        id,
        productId: product.id,
        planId: plan.id,
        buyerOrgId: buyer.id,
        purpose: input.purpose,
        validFrom: now.toISOString(),
        validUntil: new Date(Math.min(until, longest)).toISOString(),
      }),
    );
    await this.store.insertLicence(licenceRow(product, { ...committed, id, planId: plan.id, buyerOrgId: buyer.id, purpose: input.purpose }));
    return (await this.store.licence(id))!;
  }

  /**
   * The repair sweep: a licence the ledger issued whose row is missing (the request died after the
   * commit) is made from the ledger's record and the product. Answers whether it wrote a row.
   */
  async repairLicence(id: string): Promise<boolean> {
    if (await this.store.licence(id)) return false;
    const committed = JSON.parse(Buffer.from(await this.ledger.evaluate('licences', 'GetLicence', id)).toString()) as LedgerLicence & {
      id: string;
      productId: string;
      planId: string;
      buyerOrgId: string;
      purpose: string;
    };
    const product = await this.store.product(committed.productId);
    if (!product) return false;
    await this.store.insertLicence(licenceRow(product, committed));
    return true;
  }

  /** The repair sweep: writes a product's ledger state into the read model (a no-op when it is there already). */
  async repairProduct(id: string): Promise<boolean> {
    const before = await this.store.product(id);
    if (!before) return false;
    const committed = JSON.parse(Buffer.from(await this.ledger.evaluate('products', 'GetProduct', id)).toString()) as LedgerProduct;
    if (before.on_ledger && before.status === committed.status && before.updated_at.toISOString() === committed.updatedAt) return false;
    await this.store.applyProductState(id, {
      status: committed.status,
      termsHash: committed.termsHash,
      rejectionReason: committed.rejectionReason ?? null,
      updatedAt: committed.updatedAt,
    });
    return true;
  }

  /** A licence the caller may see: its buyer's, its product's provider's, or any for the operator. */
  async licenceFor(id: string, caller: Organization | 'operator'): Promise<{ licence: LicenceRow; product: ProductRow }> {
    const found = await this.store.licenceWithProduct(id);
    if (!found || (caller !== 'operator' && caller.id !== found.licence.buyer_org_id && caller.id !== found.product.provider_org_id)) {
      throw new DomainError('not_found', `licence ${id} does not exist`);
    }
    return found;
  }

  async licences(caller: Organization | 'operator', limit: number, offset: number): Promise<LicenceRow[]> {
    if (caller === 'operator') return this.store.licences({}, limit, offset);
    return this.store.licences(caller.roles.includes('consumer') ? { buyerOrgId: caller.id } : { providerOrgId: caller.id }, limit, offset);
  }

  /** Cancels a licence, by its buyer or the operator; access stops once the ledger has committed it. */
  async cancelLicence(id: string, caller: Organization | 'operator'): Promise<LicenceRow> {
    const { licence } = await this.licenceFor(id, caller);
    if (caller !== 'operator' && caller.id !== licence.buyer_org_id) throw new DomainError('forbidden', 'only the buyer or the operator cancels a licence');
    const committed = await this.submitJson<LedgerLicence>('licences', 'CancelLicence', id);
    await this.store.applyLicenceState(id, committed.status, committed.updatedAt);
    return (await this.store.licence(id))!;
  }

  private async transition(id: string, action: ReviewAction | 'submit', reason?: string): Promise<ProductRow> {
    const committed = await this.submitJson<LedgerProduct>('products', TRANSACTION[action], id, ...(action === 'reject' ? [reason ?? 'other'] : []));
    await this.store.applyProductState(id, {
      status: committed.status,
      termsHash: committed.termsHash,
      rejectionReason: committed.rejectionReason ?? null,
      updatedAt: committed.updatedAt,
    });
    return (await this.store.product(id))!;
  }

  private async submitJson<T>(contract: string, fn: string, ...args: string[]): Promise<T> {
    return JSON.parse(Buffer.from(await this.ledger.submit(contract, fn, ...args)).toString()) as T;
  }
}

function licenceRow(product: ProductRow, committed: LedgerLicence & { id: string; planId: string; buyerOrgId: string; purpose: string }): LicenceRow {
  const plan = product.plans.find((p) => p.id === committed.planId)!;
  const privacy = 'aggregate' in product.spec ? product.spec.aggregate.privacy : undefined;
  return {
    id: committed.id,
    product_id: product.id,
    buyer_org_id: committed.buyerOrgId,
    plan_id: committed.planId,
    plan,
    purpose: committed.purpose,
    status: committed.status,
    quota: committed.quota,
    terms_hash: committed.termsHash,
    valid_from: new Date(committed.validFrom),
    valid_until: new Date(committed.validUntil),
    privacy_budget_micro: privacy ? toMicroEpsilon(privacy.budgetPerLicence).toString() : null,
    privacy_spent_micro: '0',
    issued_at: new Date(committed.issuedAt),
    updated_at: new Date(committed.updatedAt),
  };
}
