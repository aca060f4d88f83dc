import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { Id, parseValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

const KINDS: Record<string, string> = {
  consent: 'consent',
  organization: 'org',
  product: 'product',
  licence: 'licence',
};

/** The auditor's view: every version of a record, each with the transaction that wrote it. */
@Info({ title: 'Audit', description: 'Histories of ledger records with their transaction ids' })
export class AuditContract extends Contract {
  constructor() {
    super('audit');
  }

  /** History of a consent, organisation, product or licence: `[{txId, timestamp, isDelete, value}]`, oldest first. */
  @Transaction(false)
  @Returns('string')
  async GetHistory(ctx: Context, kind: string, id: string): Promise<string> {
    const type = KINDS[kind];
    if (!type) throw new ChaincodeError('invalid_argument', `kind must be one of ${Object.keys(KINDS).join(', ')}`);
    return canonicalJson(await new LedgerState(ctx).history(type, [parseValue(Id, id, 'id')]));
  }

  /** History of one version of a record commitment. */
  @Transaction(false)
  @Returns('string')
  async GetCommitmentHistory(ctx: Context, recordId: string, version: string): Promise<string> {
    const n = Number(version);
    if (!Number.isInteger(n) || n < 1) throw new ChaincodeError('invalid_argument', 'version must be a whole number from 1');
    return canonicalJson(await new LedgerState(ctx).history('commitment', [parseValue(Id, recordId, 'recordId'), String(n).padStart(7, '0')]));
  }
}
