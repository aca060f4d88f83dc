import { createHash } from 'node:crypto';
import {
  ChaincodeError,
  canonicalJson,
  issueLicence,
  transitionProduct,
  type Licence,
  type Organization as LedgerOrganization,
  type Product,
  type ProductAction,
} from '@citizen-vault/chaincode/rules';
import { LedgerError } from '../../src/ledger/fabric-ledger.js';

const ACTION: Record<string, ProductAction> = {
  SubmitProduct: 'submit',
  ApproveProduct: 'approve',
  RejectProduct: 'reject',
  SuspendProduct: 'suspend',
  ReinstateProduct: 'reinstate',
  DelistProduct: 'delist',
};

/**
 * The exchange's and the organisations' ledger transactions for unit tests, without a peer: the
 * chaincode's own rules (`transitionProduct`, `issueLicence`) over maps, answering the same JSON and
 * failing with the same LedgerError codes as FabricLedger does. Endorsement, MSP identities and
 * blocks are the devnet's business and stay in the whole-stack tests.
 */
export class RulesLedger {
  readonly organizations = new Map<string, LedgerOrganization>();
  readonly products = new Map<string, Product>();
  readonly licences = new Map<string, Licence>();
  readonly statements = new Map<string, Record<string, unknown>>();
  /** Every submitted transaction, in order: `contract.Function`. */
  readonly submitted: string[] = [];
  /** Makes the next submit of this function fail as the ledger would, once. */
  failNext: { fn: string; code: string } | undefined;
  private tx = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array> {
    if (this.failNext?.fn === fn) {
      const { code } = this.failNext;
      this.failNext = undefined;
      throw new LedgerError(code, `${fn} failed (injected)`);
    }
    this.submitted.push(`${contract}.${fn}`);
    return this.answer(this.run(contract, fn, args));
  }

  async evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array> {
    return this.answer(this.run(contract, fn, args));
  }

  private answer(value: unknown): Uint8Array {
    return Buffer.from(canonicalJson(value));
  }

  private run(contract: string, fn: string, args: string[]): unknown {
    const at = this.now().toISOString();
    try {
      switch (`${contract}.${fn}`) {
        case 'organizations.RegisterOrganization': {
          const o = JSON.parse(args[0]!) as { id: string; mspId: string; roles: LedgerOrganization['roles'] };
          if (this.organizations.has(o.id)) throw new LedgerError('already_exists', `organisation ${o.id} already exists`);
          const org = { ...o, status: 'VERIFIED', registeredAt: at, updatedAt: at } as LedgerOrganization;
          this.organizations.set(o.id, org);
          return org;
        }
        case 'organizations.SuspendOrganization': {
          const org = this.require(this.organizations, args[0]!, 'organisation');
          if (org.status === 'SUSPENDED') throw new LedgerError('illegal_transition', `organisation ${org.id} is SUSPENDED`);
          Object.assign(org, { status: 'SUSPENDED', updatedAt: at });
          return org;
        }
        case 'organizations.ListOrganizationsByRole':
          return { items: [...this.organizations.values()].filter((o) => o.roles.includes(args[0] as never)), bookmark: '' };
        case 'products.CreateProduct': {
          const input = JSON.parse(args[0]!) as Omit<Product, 'status' | 'termsHash' | 'createdAt' | 'updatedAt'>;
          if (this.products.has(input.id)) throw new LedgerError('already_exists', `product ${input.id} already exists`);
          const product: Product = {
            ...input,
            status: 'DRAFT',
            termsHash: createHash('sha256').update(canonicalJson(input.terms)).digest('hex'),
            createdAt: at,
            updatedAt: at,
          };
          this.products.set(product.id, product);
          return product;
        }
        case 'products.GetProduct':
          return this.require(this.products, args[0]!, 'product');
        case 'licences.IssueLicence': {
          const input = JSON.parse(args[0]!) as Parameters<typeof issueLicence>[0];
          if (this.licences.has(input.id)) throw new LedgerError('already_exists', `licence ${input.id} already exists`);
          const licence = issueLicence(input, this.require(this.products, input.productId, 'product'), this.organizations.get(input.buyerOrgId), at);
          this.licences.set(licence.id, licence);
          return licence;
        }
        case 'licences.CancelLicence': {
          const licence = this.require(this.licences, args[0]!, 'licence');
          if (licence.status !== 'ACTIVE') throw new LedgerError('illegal_transition', `licence ${licence.id} is ${licence.status}`);
          const next: Licence = { ...licence, status: 'CANCELLED', updatedAt: at };
          this.licences.set(next.id, next);
          return next;
        }
        case 'licences.GetLicence':
          return this.require(this.licences, args[0]!, 'licence');
        case 'licences.AnchorStatement': {
          const input = JSON.parse(args[0]!) as { licenceId: string; period: string };
          this.require(this.licences, input.licenceId, 'licence');
          const key = `${input.licenceId}|${input.period}`;
          if (this.statements.has(key))
            throw new LedgerError('already_exists', `the statement of licence ${input.licenceId} for ${input.period} is already anchored`);
          const statement = { ...input, anchoredAt: at, txId: `tx-${++this.tx}` };
          this.statements.set(key, statement);
          return statement;
        }
        case 'licences.GetStatement':
          return this.require(this.statements, `${args[0]}|${args[1]}`, 'statement');
        default: {
          const action = contract === 'products' ? ACTION[fn] : undefined;
          if (!action) throw new Error(`RulesLedger does not know ${contract}.${fn}`);
          const product = this.require(this.products, args[0]!, 'product');
          const next = transitionProduct(product, action, at, args[1]);
          this.products.set(next.id, next);
          return next;
        }
      }
    } catch (err) {
      // The chaincode's errors reach the API as LedgerErrors with the same code, as FabricLedger maps them.
      if (err instanceof ChaincodeError) throw new LedgerError(err.code, err.detail);
      throw err;
    }
  }

  private require<T>(map: Map<string, T>, id: string, what: string): T {
    const found = map.get(id);
    if (!found) throw new LedgerError('not_found', `${what} ${id} does not exist`);
    return found;
  }
}
