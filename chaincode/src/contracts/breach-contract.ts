import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { type BreachRecord, BreachRecordInput, type BreachRecordValue } from '../rules/breach-record.js';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { Id, parseInput, parseValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

const TYPE = 'breach';

/**
 * The breach register's evidence: each version of a breach, recorded by the operator in order and
 * once, with the hash of the full record kept off the ledger. The detection time of a breach never
 * changes after its first version, so the 72-hour clock cannot be restarted. Recording a version
 * again with the same content answers the stored record, so a retry after a crash is harmless.
 */
@Info({ title: 'Breaches', description: 'Versions of personal-data breach records: hashes, times and counts, without personal data' })
export class BreachContract extends Contract {
  constructor() {
    super('breaches');
  }

  @Transaction()
  @Returns('string')
  async RecordBreach(ctx: Context, recordJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const input = parseInput(BreachRecordInput, recordJson, 'breach record');
    const version = versionKey(input.version);
    const existing = await state.get<BreachRecord>(TYPE, input.breachId, version);
    if (existing) {
      if (canonicalJson(valueOf(existing)) === canonicalJson(input)) return canonicalJson(existing);
      throw new ChaincodeError('already_exists', `version ${input.version} of breach ${input.breachId} is already recorded, differently`);
    }
    if (input.version > 1) {
      const previous = await state.get<BreachRecord>(TYPE, input.breachId, versionKey(input.version - 1));
      if (!previous) throw new ChaincodeError('invalid_argument', `version ${input.version - 1} of breach ${input.breachId} must be recorded first`);
      if (previous.detectedAt !== input.detectedAt || previous.notifyDueAt !== input.notifyDueAt) {
        throw new ChaincodeError('invalid_argument', `breach ${input.breachId} keeps its detection time and its notification deadline`);
      }
      if (previous.state === 'CLOSED') throw new ChaincodeError('invalid_argument', `breach ${input.breachId} is closed`);
    }
    const record: BreachRecord = { ...input, recordedAt: state.now(), txId: state.txId() };
    await state.put(TYPE, [input.breachId, version], record);
    state.emit('BreachRecorded', {
      breachId: input.breachId,
      version: input.version,
      action: input.action,
      state: input.state,
      notifyDueAt: input.notifyDueAt,
      recordHash: input.recordHash,
      at: record.recordedAt,
    });
    return canonicalJson(record);
  }

  /** Every recorded version of a breach, in order. */
  @Transaction(false)
  @Returns('string')
  async GetBreach(ctx: Context, breachId: string): Promise<string> {
    const id = parseValue(Id, breachId, 'breachId');
    const versions: unknown[] = [];
    const iterator = await ctx.stub.getStateByPartialCompositeKey(TYPE, [id]);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) versions.push(JSON.parse(Buffer.from(r.value.value).toString('utf8')));
    } finally {
      await iterator.close();
    }
    if (versions.length === 0) throw new ChaincodeError('not_found', `breach ${id} has no recorded version`);
    return canonicalJson(versions);
  }
}

function valueOf(record: BreachRecord): BreachRecordValue {
  const { recordedAt: _at, txId: _tx, ...value } = record;
  return value;
}

function versionKey(n: number): string {
  return String(n).padStart(4, '0');
}
