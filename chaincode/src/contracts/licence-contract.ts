import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { evaluateLicenceUse, issueLicence, type Licence, type Organization, type Product } from '../rules/exchange-policy.js';
import { Id, LicenceInput, StatementInput, Timestamp, parseInput, parseValue, type StatementValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

const LicenceUseInput = z
  .object({
    purpose: z.string(),
    at: Timestamp,
    units: z.number().int().min(1),
    usedUnits: z.number().int().min(0),
    actions: z.array(z.string()).max(10).optional(),
    crossBorder: z.boolean().optional(),
  })
  .strict();

interface Statement extends StatementValue {
  anchoredAt: string;
  txId: string;
}

/** Licences to data products, issued to verified buyers, and the monthly usage statements anchored by the API. */
@Info({ title: 'Licences', description: 'Licences to listed data products and their usage statements' })
export class LicenceContract extends Contract {
  constructor() {
    super('licences');
  }

  /** A verified consumer accepts a listed product's terms and a plan, for a permitted purpose. */
  @Transaction()
  @Returns('string')
  async IssueLicence(ctx: Context, licenceJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const input = parseInput(LicenceInput, licenceJson, 'licence');
    // The buyer transacts through its own MSP, or the operator relays for it; whether it may buy is the rules' call.
    const buyer = await state.get<Organization>('org', input.buyerOrgId);
    if (buyer && buyer.mspId !== state.callerMspId() && !(await state.callerIsOperator())) {
      throw new ChaincodeError('forbidden', `organisation ${input.buyerOrgId} transacts through ${buyer.mspId}, not ${state.callerMspId()}`);
    }
    if (await state.get('licence', input.id)) throw new ChaincodeError('already_exists', `licence ${input.id} already exists`);
    const product = await state.require<Product>('product', input.productId);
    const licence = issueLicence(input, product, buyer, state.now());
    await state.put('licence', [licence.id], licence);
    await state.addIndex('licence~product', [licence.productId, licence.id]);
    await state.addIndex('licence~buyer', [licence.buyerOrgId, licence.id]);
    state.emit('LicenceIssued', eventOf(licence));
    return canonicalJson(licence);
  }

  /** Cancels a licence: by its buyer, or by the operator. */
  @Transaction()
  @Returns('string')
  async CancelLicence(ctx: Context, licenceId: string): Promise<string> {
    const state = new LedgerState(ctx);
    const licence = await state.require<Licence>('licence', parseValue(Id, licenceId, 'licenceId'));
    if (!(await state.callerIsOperator())) await state.requireActingFor(licence.buyerOrgId, 'consumer');
    if (licence.status !== 'ACTIVE') throw new ChaincodeError('illegal_transition', `licence ${licenceId} is ${licence.status}`);
    const next: Licence = { ...licence, status: 'CANCELLED', updatedAt: state.now() };
    await state.put('licence', [next.id], next);
    state.emit('LicenceCancelled', eventOf(next));
    return canonicalJson(next);
  }

  @Transaction(false)
  @Returns('string')
  async GetLicence(ctx: Context, licenceId: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Licence>('licence', parseValue(Id, licenceId, 'licenceId')));
  }

  /** Evaluates a use against the licence and the product's terms: `{allowed}` or `{allowed: false, reason, explanation}`. */
  @Transaction(false)
  @Returns('string')
  async CheckLicenceUse(ctx: Context, licenceId: string, useJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const licence = await state.require<Licence>('licence', parseValue(Id, licenceId, 'licenceId'));
    const product = await state.require<Product>('product', licence.productId);
    return canonicalJson(evaluateLicenceUse(licence, product, parseInput(LicenceUseInput, useJson, 'use')));
  }

  @Transaction(false)
  @Returns('string')
  async ListLicencesByProduct(ctx: Context, productId: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('licence~product', [parseValue(Id, productId, 'productId')], 'licence', pageSize, bookmark);
  }

  @Transaction(false)
  @Returns('string')
  async ListLicencesByBuyer(ctx: Context, buyerOrgId: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('licence~buyer', [parseValue(Id, buyerOrgId, 'buyerOrgId')], 'licence', pageSize, bookmark);
  }

  /** Anchors a licence's usage statement for a month: once per licence and month. Operator only. */
  @Transaction()
  @Returns('string')
  async AnchorStatement(ctx: Context, statementJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const input = parseInput(StatementInput, statementJson, 'statement');
    await state.require<Licence>('licence', input.licenceId);
    if (await state.get('statement', input.licenceId, input.period)) {
      throw new ChaincodeError('already_exists', `the statement of licence ${input.licenceId} for ${input.period} is already anchored`);
    }
    const statement: Statement = { ...input, anchoredAt: state.now(), txId: state.txId() };
    await state.put('statement', [input.licenceId, input.period], statement);
    state.emit('StatementAnchored', statement);
    return canonicalJson(statement);
  }

  @Transaction(false)
  @Returns('string')
  async GetStatement(ctx: Context, licenceId: string, period: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Statement>('statement', parseValue(Id, licenceId, 'licenceId'), period));
  }
}

function eventOf(l: Licence): Record<string, unknown> {
  return { licenceId: l.id, productId: l.productId, buyerOrgId: l.buyerOrgId, planId: l.planId, purpose: l.purpose, status: l.status, at: l.updatedAt };
}
