import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { checkUse, newConsent, transitionConsent, usagePeriod, type Consent, type ConsentAction } from '../rules/consent-policy.js';
import { ChaincodeError } from '../rules/errors.js';
import { ConsentRequestInput, FieldList, Id, UseCheckInput, parseInput, parseValue } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

const EVENT: Record<ConsentAction, string> = {
  approve: 'ConsentApproved',
  reject: 'ConsentRejected',
  pause: 'ConsentPaused',
  resume: 'ConsentResumed',
  revoke: 'ConsentRevoked',
  expire: 'ConsentExpired',
};

/**
 * The consent registry. The consumer asks; the vault operator, acting for the citizen it has
 * authenticated, answers, pauses, resumes and revokes. Only random subject ids and consent
 * metadata are stored: no names, no national ids, no personal data.
 */
@Info({ title: 'Consent registry', description: 'Scoped, auditable consents of data subjects to consumers' })
export class ConsentContract extends Contract {
  constructor() {
    super('consent');
  }

  @Transaction()
  @Returns('string')
  async RequestConsent(ctx: Context, requestJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const request = parseInput(ConsentRequestInput, requestJson, 'consent request');
    const consumer = await state.requireActingFor(request.consumerOrgId, 'consumer');
    if (await state.get('consent', request.id)) throw new ChaincodeError('already_exists', `consent ${request.id} already exists`);
    const consent = newConsent(request, consumer.mspId, state.now());
    await state.put('consent', [consent.id], consent);
    await state.addIndex('consent~subject', [consent.subjectId, consent.id]);
    await state.addIndex('consent~consumer', [consent.consumerOrgId, consent.id]);
    await state.addIndex('consent~status', [consent.status, consent.id]);
    state.emit('ConsentRequested', eventOf(consent));
    return canonicalJson(consent);
  }

  /** Approves all requested fields, or the subset given as a JSON array (`[]`-less `""` means all). */
  @Transaction()
  @Returns('string')
  async ApproveConsent(ctx: Context, consentId: string, grantedFieldsJson: string): Promise<string> {
    const granted = grantedFieldsJson === '' ? undefined : parseInput(FieldList, grantedFieldsJson, 'granted fields');
    return this.transition(ctx, consentId, 'approve', granted);
  }

  @Transaction()
  @Returns('string')
  async RejectConsent(ctx: Context, consentId: string): Promise<string> {
    return this.transition(ctx, consentId, 'reject');
  }

  @Transaction()
  @Returns('string')
  async PauseConsent(ctx: Context, consentId: string): Promise<string> {
    return this.transition(ctx, consentId, 'pause');
  }

  @Transaction()
  @Returns('string')
  async ResumeConsent(ctx: Context, consentId: string): Promise<string> {
    return this.transition(ctx, consentId, 'resume');
  }

  @Transaction()
  @Returns('string')
  async RevokeConsent(ctx: Context, consentId: string): Promise<string> {
    return this.transition(ctx, consentId, 'revoke');
  }

  /** Marks a consent EXPIRED once its validity window has closed: the operator or the consumer records it. */
  @Transaction()
  @Returns('string')
  async ExpireConsent(ctx: Context, consentId: string): Promise<string> {
    return this.transition(ctx, consentId, 'expire');
  }

  @Transaction(false)
  @Returns('string')
  async GetConsent(ctx: Context, consentId: string): Promise<string> {
    return canonicalJson(await new LedgerState(ctx).require<Consent>('consent', parseValue(Id, consentId, 'consentId')));
  }

  /**
   * The use check: may `consumerOrgId` read `fields` for `purpose` at `at`? Answers
   * `{allowed: true}` or `{allowed: false, reason, detail}`; never fails for a denial.
   */
  @Transaction(false)
  @Returns('string')
  async CheckUse(ctx: Context, useJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    const use = parseInput(UseCheckInput, useJson, 'use');
    const consent = await state.require<Consent>('consent', use.consentId);
    const uses = (await state.get<{ count: number }>('usage', consent.id, usagePeriod(consent.accessMode, use.at)))?.count ?? 0;
    return canonicalJson(checkUse(consent, use, uses));
  }

  /**
   * The use check and the use, in one transaction: if the read is allowed it is counted against the
   * frequency limit, atomically (two concurrent uses of the last allowance conflict, and one fails
   * MVCC). Answers the decision as `CheckUse` does, with the period's count when allowed. Operator only.
   */
  @Transaction()
  @Returns('string')
  async ConsumeUse(ctx: Context, useJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const use = parseInput(UseCheckInput, useJson, 'use');
    const consent = await state.require<Consent>('consent', use.consentId);
    const period = usagePeriod(consent.accessMode, use.at);
    const uses = (await state.get<{ count: number }>('usage', consent.id, period))?.count ?? 0;
    const decision = checkUse(consent, use, uses);
    if (!decision.allowed) return canonicalJson(decision);
    const count = uses + 1;
    await state.put('usage', [consent.id, period], { consentId: consent.id, period, count });
    state.emit('ConsentUsed', { consentId: consent.id, consumerOrgId: consent.consumerOrgId, period, count, at: use.at });
    return canonicalJson({ allowed: true, period, count });
  }

  @Transaction(false)
  @Returns('string')
  async ListConsentsBySubject(ctx: Context, subjectId: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('consent~subject', [parseValue(Id, subjectId, 'subjectId')], 'consent', pageSize, bookmark);
  }

  @Transaction(false)
  @Returns('string')
  async ListConsentsByConsumer(ctx: Context, consumerOrgId: string, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('consent~consumer', [parseValue(Id, consumerOrgId, 'consumerOrgId')], 'consent', pageSize, bookmark);
  }

  @Transaction(false)
  @Returns('string')
  async ListConsentsByStatus(ctx: Context, status: string, pageSize: string, bookmark: string): Promise<string> {
    if (!['REQUESTED', 'ACTIVE', 'REJECTED', 'PAUSED', 'REVOKED', 'EXPIRED'].includes(status)) {
      throw new ChaincodeError('invalid_argument', `unknown consent status ${JSON.stringify(status)}`);
    }
    return new LedgerState(ctx).listRecords('consent~status', [status], 'consent', pageSize, bookmark);
  }

  private async transition(ctx: Context, consentId: string, action: ConsentAction, granted?: string[]): Promise<string> {
    const state = new LedgerState(ctx);
    const consent = await state.require<Consent>('consent', parseValue(Id, consentId, 'consentId'));
    if (action !== 'expire' || !(await state.callerIsOperator())) {
      if (action === 'expire') await state.requireActingFor(consent.consumerOrgId, 'consumer');
      else await state.requireOperator();
    }
    const next = transitionConsent(consent, action, state.now(), granted);
    await state.put('consent', [next.id], next);
    await state.removeIndex('consent~status', [consent.status, consent.id]);
    await state.addIndex('consent~status', [next.status, next.id]);
    state.emit(EVENT[action], eventOf(next));
    return canonicalJson(next);
  }
}

function eventOf(c: Consent): Record<string, unknown> {
  return {
    consentId: c.id,
    subjectId: c.subjectId,
    consumerOrgId: c.consumerOrgId,
    consumerMspId: c.consumerMspId,
    purpose: c.purpose,
    status: c.status,
    grantedFields: c.grantedFields,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    at: c.updatedAt,
  };
}
