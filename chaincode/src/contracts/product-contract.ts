import { createHash } from 'node:crypto';
import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { PRODUCT_TRANSITIONS, transitionProduct, type Product, type ProductAction } from '../rules/exchange-policy.js';
import { Id, ProductInput, RejectionReason, parseInput, parseValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

const STATUSES = ['DRAFT', 'PENDING_REVIEW', 'LISTED', 'SUSPENDED', 'DELISTED'];
const EVENT: Record<ProductAction, string> = {
  submit: 'ProductSubmitted',
  approve: 'ProductApproved',
  reject: 'ProductRejected',
  suspend: 'ProductSuspended',
  reinstate: 'ProductReinstated',
  delist: 'ProductDelisted',
};

/** Data products of the exchange: licence terms and prices on the ledger, the listing lifecycle guarded. */
@Info({ title: 'Data products', description: 'Listed data products with machine-readable licence terms and prices in đồng' })
export class ProductContract extends Contract {
  constructor() {
    super('products');
  }

  @Transaction()
  @Returns('string')
  async CreateProduct(ctx: Context, productJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const input = parseInput(ProductInput, productJson, 'product');
    await state.requireActingFor(input.providerOrgId, 'provider');
    if (await state.get('product', input.id)) throw new ChaincodeError('already_exists', `product ${input.id} already exists`);
    if (input.kind === 'AGGREGATE' && input.terms.minCohortSize === undefined) {
      throw new ChaincodeError('invalid_argument', 'an aggregate product needs a minimum cohort size');
    }
    const now = state.now();
    const product: Product = {
      ...input,
      status: 'DRAFT',
      termsHash: createHash('sha256').update(canonicalJson(input.terms)).digest('hex'),
      createdAt: now,
      updatedAt: now,
    };
    await state.put('product', [product.id], product);
    await state.addIndex('product~status', [product.status, product.id]);
    await state.addIndex('product~provider', [product.providerOrgId, product.id]);
    state.emit('ProductCreated', eventOf(product));
    return canonicalJson(product);
  }

  @Transaction()
  @Returns('string')
  async SubmitProduct(ctx: Context, productId: string): Promise<string> {
    return this.transition(ctx, productId, 'submit');
  }

  @Transaction()
  @Returns('string')
  async ApproveProduct(ctx: Context, productId: string): Promise<string> {
    return this.transition(ctx, productId, 'approve');
  }

  @Transaction()
  @Returns('string')
  async RejectProduct(ctx: Context, productId: string, reasonCode: string): Promise<string> {
    return this.transition(ctx, productId, 'reject', parseValue(RejectionReason, reasonCode, 'reasonCode'));
  }

  @Transaction()
  @Returns('string')
  async SuspendProduct(ctx: Context, productId: string): Promise<string> {
    return this.transition(ctx, productId, 'suspend');
  }

  @Transaction()
  @Returns('string')
  async ReinstateProduct(ctx: Context, productId: string): Promise<string> {
    return this.transition(ctx, productId, 'reinstate');
  }

  @Transaction()
  @Returns('string')
  async DelistProduct(ctx: Context, productId: string): Promise<string> {
    return this.transition(ctx, productId, 'delist');
  }

  @Transaction(false)
  @Returns('string')
  async GetProduct(ctx: Context, productId: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Product>('product', parseValue(Id, productId, 'productId')));
  }

  @Transaction(false)
  @Returns('string')
  async ListProductsByStatus(ctx: Context, status: string, pageSize: string, bookmark: string): Promise<string> {
    if (!STATUSES.includes(status)) throw new ChaincodeError('invalid_argument', `unknown product status ${JSON.stringify(status)}`);
    return new LedgerState(ctx).listRecords('product~status', [status], 'product', pageSize, bookmark);
  }

  private async transition(ctx: Context, productId: string, action: ProductAction, note?: string): Promise<string> {
    const state = new LedgerState(ctx);
    const product = await state.require<Product>('product', parseValue(Id, productId, 'productId'));
    if (PRODUCT_TRANSITIONS[action].by === 'operator') await state.requireOperator();
    else await state.requireActingFor(product.providerOrgId, 'provider');
    const next = transitionProduct(product, action, state.now(), note);
    await state.put('product', [next.id], next);
    await state.removeIndex('product~status', [product.status, product.id]);
    await state.addIndex('product~status', [next.status, next.id]);
    state.emit(EVENT[action], eventOf(next));
    return canonicalJson(next);
  }
}

function eventOf(p: Product): Record<string, unknown> {
  return { productId: p.id, providerOrgId: p.providerOrgId, kind: p.kind, status: p.status, termsHash: p.termsHash, at: p.updatedAt };
}
