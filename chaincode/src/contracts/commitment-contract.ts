import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { CommitmentInput, Id, Sha256Hex, parseInput, parseValue, type CommitmentValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

interface Commitment extends CommitmentValue {
  anchoredAt: string;
  txId: string;
}

/**
 * Salted commitments (hashes) of vault record versions, anchored by their custodian, so a consumer
 * or auditor can check that data received is what the custodian deposited. The salt and the data
 * stay in the vault; erasing them there leaves the hash meaningless.
 */
@Info({ title: 'Record commitments', description: 'Salted hashes of vault record versions, anchored by custodians' })
export class CommitmentContract extends Contract {
  constructor() {
    super('commitments');
  }

  @Transaction()
  @Returns('string')
  async AnchorCommitment(ctx: Context, commitmentJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const input = parseInput(CommitmentInput, commitmentJson, 'commitment');
    await state.requireActingFor(input.custodianOrgId, 'custodian');
    const version = versionKey(input.version);
    if (await state.get('commitment', input.recordId, version)) {
      throw new ChaincodeError('already_exists', `record ${input.recordId} version ${input.version} is already anchored`);
    }
    if (input.version > 1 && !(await state.get('commitment', input.recordId, versionKey(input.version - 1)))) {
      throw new ChaincodeError('invalid_argument', `version ${input.version - 1} of record ${input.recordId} must be anchored first`);
    }
    const commitment: Commitment = { ...input, anchoredAt: state.now(), txId: state.txId() };
    await state.put('commitment', [input.recordId, version], commitment);
    await state.addIndex('commitment~subject', [input.subjectId, input.recordId, version]);
    state.emit('CommitmentAnchored', {
      recordId: input.recordId,
      version: input.version,
      category: input.category,
      custodianOrgId: input.custodianOrgId,
      at: commitment.anchoredAt,
    });
    return canonicalJson(commitment);
  }

  @Transaction(false)
  @Returns('string')
  async GetCommitment(ctx: Context, recordId: string, version: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Commitment>('commitment', parseValue(Id, recordId, 'recordId'), versionKey(Number(version))));
  }

  /** Does this commitment match the anchored one for the record version? `{matches, anchoredAt}`. */
  @Transaction(false)
  @Returns('string')
  async VerifyCommitment(ctx: Context, recordId: string, version: string, commitment: string): Promise<string> {
    const anchored = await new LedgerState(ctx).require<Commitment>('commitment', parseValue(Id, recordId, 'recordId'), versionKey(Number(version)));
    return canonicalJson({
      matches: anchored.commitment === parseValue(Sha256Hex, commitment, 'commitment'),
      anchoredAt: anchored.anchoredAt,
      custodianOrgId: anchored.custodianOrgId,
    });
  }

  /** Every record version anchored for a subject (ids and hashes only). */
  @Transaction(false)
  @Returns('string')
  async ListCommitmentsBySubject(ctx: Context, subjectId: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('commitment~subject', [parseValue(Id, subjectId, 'subjectId')], 'commitment', pageSize, bookmark);
  }
}

/** Versions are zero-padded so composite-key order is numeric order. */
function versionKey(version: number): string {
  if (!Number.isInteger(version) || version < 1 || version > 1_000_000) throw new ChaincodeError('invalid_argument', 'version must be a whole number from 1');
  return String(version).padStart(7, '0');
}
