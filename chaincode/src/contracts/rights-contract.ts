import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { RightsRequestRecordInput, type RightsRequestRecord, type RightsRequestRecordValue } from '../rules/rights-record.js';
import { Id, parseInput, parseValue } from '../rules/schemas.js';
import { SubjectControlInput, type SubjectControlRecord } from '../rules/subject-control.js';
import { LedgerState } from './ledger-state.js';

const TYPE = 'rightsrequest';
const CONTROL = 'subjectcontrol';

/**
 * The steps of data-subject requests, recorded by the operator as they happen, in order, each
 * once: the evidence that the deadlines of Decree 356 were kept. Recording a step again with the
 * same content answers the stored record, so a retry after a crash is harmless.
 */
@Info({ title: 'Data-subject requests', description: 'The steps of data-subject requests and their deadlines, without personal data' })
export class RightsContract extends Contract {
  constructor() {
    super('rights');
  }

  @Transaction()
  @Returns('string')
  async RecordRightsRequest(ctx: Context, recordJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const input = parseInput(RightsRequestRecordInput, recordJson, 'rights request record');
    const seq = seqKey(input.seq);
    const existing = await state.get<RightsRequestRecord>(TYPE, input.requestId, seq);
    if (existing) {
      if (canonicalJson(stepOf(existing)) === canonicalJson(input)) return canonicalJson(existing);
      throw new ChaincodeError('already_exists', `step ${input.seq} of request ${input.requestId} is already recorded, differently`);
    }
    if (input.seq > 1) {
      const previous = await state.get<RightsRequestRecord>(TYPE, input.requestId, seqKey(input.seq - 1));
      if (!previous) throw new ChaincodeError('invalid_argument', `step ${input.seq - 1} of request ${input.requestId} must be recorded first`);
      if (previous.kind !== input.kind || previous.subjectId !== input.subjectId || previous.receivedAt !== input.receivedAt) {
        throw new ChaincodeError('invalid_argument', `request ${input.requestId} keeps its kind, subject and time of receipt`);
      }
    }
    const record: RightsRequestRecord = { ...input, recordedAt: state.now(), txId: state.txId() };
    await state.put(TYPE, [input.requestId, seq], record);
    state.emit('RightsRequestRecorded', {
      requestId: input.requestId,
      seq: input.seq,
      kind: input.kind,
      action: input.action,
      state: input.state,
      dueAt: input.dueAt,
      at: record.recordedAt,
    });
    return canonicalJson(record);
  }

  /**
   * A legal hold, a restriction or an erasure certificate (see subject-control.ts), each once by its
   * id: the same event again answers the stored record, a different one under the same id is refused.
   */
  @Transaction()
  @Returns('string')
  async RecordSubjectControl(ctx: Context, eventJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const input = parseInput(SubjectControlInput, eventJson, 'subject control');
    const existing = await state.get<SubjectControlRecord>(CONTROL, input.subjectId, input.id);
    if (existing) {
      const { recordedAt: _at, txId: _tx, ...stored } = existing;
      if (canonicalJson(stored) === canonicalJson(input)) return canonicalJson(existing);
      throw new ChaincodeError('already_exists', `subject control ${input.id} is already recorded, differently`);
    }
    const record: SubjectControlRecord = { ...input, recordedAt: state.now(), txId: state.txId() };
    await state.put(CONTROL, [input.subjectId, input.id], record);
    state.emit('SubjectControlRecorded', { id: input.id, type: input.type, subjectId: input.subjectId, at: record.recordedAt });
    return canonicalJson(record);
  }

  /** Every control recorded for a pseudonymous subject (holds, restrictions, erasure certificates). */
  @Transaction(false)
  @Returns('string')
  async ListSubjectControls(ctx: Context, subjectId: string): Promise<string> {
    const id = parseValue(Id, subjectId, 'subjectId');
    const events: unknown[] = [];
    const iterator = await ctx.stub.getStateByPartialCompositeKey(CONTROL, [id]);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) events.push(JSON.parse(Buffer.from(r.value.value).toString('utf8')));
    } finally {
      await iterator.close();
    }
    return canonicalJson(events);
  }

  /** Every recorded step of a request, in order. */
  @Transaction(false)
  @Returns('string')
  async GetRightsRequest(ctx: Context, requestId: string): Promise<string> {
    const id = parseValue(Id, requestId, 'requestId');
    const steps: unknown[] = [];
    const iterator = await ctx.stub.getStateByPartialCompositeKey(TYPE, [id]);
    try {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) steps.push(JSON.parse(Buffer.from(r.value.value).toString('utf8')));
    } finally {
      await iterator.close();
    }
    if (steps.length === 0) throw new ChaincodeError('not_found', `request ${id} has no recorded step`);
    return canonicalJson(steps);
  }
}

function stepOf(record: RightsRequestRecord): RightsRequestRecordValue {
  const { recordedAt: _at, txId: _tx, ...step } = record;
  return step;
}

function seqKey(n: number): string {
  return String(n).padStart(4, '0');
}
