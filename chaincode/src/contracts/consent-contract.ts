import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from '../rules/canonical-json.js';
import { checkUse, newConsent, transitionConsent, usagePeriod, type Consent, type ConsentAction } from '../rules/consent-policy.js';
import { ChaincodeError } from '../rules/errors.js';
import { checkDecisionTime, DecisionStatementInput, PasskeyAssertionInput, verifyDecisionAssertion, type DecisionEvidence } from '../rules/passkey-evidence.js';
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

  /**
   * A decision the citizen's own device signed (issue 17): `decisionJson` is the decision statement
   * `{consentId, artefactHash, action, grantedFields, at}`; the WebAuthn assertion and the
   * credential's public key come in the transient map under `passkeyAssertion`, so only their hashes
   * reach the ledger. Refused (`evidence_mismatch`) unless the statement matches this consent's
   * artefact hash and the outcome of the action, its time is the transaction's within minutes, the
   * assertion signs exactly its challenge, and that challenge was never used before.
   */
  @Transaction()
  @Returns('string')
  async DecideConsentWithPasskey(ctx: Context, decisionJson: string): Promise<string> {
    const statement = parseInput(DecisionStatementInput, decisionJson, 'decision');
    const transient = ctx.stub.getTransient().get('passkeyAssertion');
    if (!transient) throw new ChaincodeError('invalid_argument', 'the passkey assertion belongs in the transient map under passkeyAssertion');
    const assertion = parseInput(PasskeyAssertionInput, Buffer.from(transient).toString('utf8'), 'passkey assertion');
    const state = new LedgerState(ctx);
    const consent = await state.require<Consent>('consent', statement.consentId);
    if (statement.artefactHash !== consent.artefactHash) {
      throw new ChaincodeError('evidence_mismatch', `the decision is for artefact ${statement.artefactHash}, not this consent's ${consent.artefactHash}`);
    }
    checkDecisionTime(statement.at, state.now());
    const evidence = verifyDecisionAssertion(statement, assertion);
    if (await state.get('passkey-challenge', evidence.challenge)) throw new ChaincodeError('evidence_mismatch', 'this signed decision was already used');
    const granted = statement.action === 'approve' ? statement.grantedFields : undefined;
    return this.transition(ctx, consent.id, statement.action, granted, { statement: statement.grantedFields, evidence });
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

  /** The device-signed decisions of a consent, oldest first: the hashes each was committed with. */
  @Transaction(false)
  @Returns('string')
  async GetDecisionEvidence(ctx: Context, consentId: string): Promise<string> {
    const state = new LedgerState(ctx);
    const id = parseValue(Id, consentId, 'consentId');
    const page = await state.listIndex('evidence~consent', [id], 500, '');
    const items = await Promise.all(page.items.map(([txId]) => state.require<unknown>('decision-evidence', id, txId!)));
    return canonicalJson({ items });
  }

  private async transition(
    ctx: Context,
    consentId: string,
    action: ConsentAction,
    granted?: string[],
    signed?: { statement: string[]; evidence: DecisionEvidence },
  ): Promise<string> {
    const state = new LedgerState(ctx);
    const consent = await state.require<Consent>('consent', parseValue(Id, consentId, 'consentId'));
    if (action !== 'expire' || !(await state.callerIsOperator())) {
      if (action === 'expire') await state.requireActingFor(consent.consumerOrgId, 'consumer');
      else await state.requireOperator();
    }
    const next = transitionConsent(consent, action, state.now(), granted);
    if (signed && canonicalJson(signed.statement) !== canonicalJson(next.grantedFields)) {
      throw new ChaincodeError(
        'evidence_mismatch',
        `the decision grants ${signed.statement.join(', ') || 'nothing'}, but the consent would grant ${next.grantedFields.join(', ') || 'nothing'}`,
      );
    }
    await state.put('consent', [next.id], next);
    await state.removeIndex('consent~status', [consent.status, consent.id]);
    await state.addIndex('consent~status', [next.status, next.id]);
    if (signed) {
      const txId = state.txId();
      await state.put('decision-evidence', [next.id, txId], { consentId: next.id, action, txId, at: next.updatedAt, ...signed.evidence });
      await state.addIndex('evidence~consent', [next.id, txId]);
      await state.put('passkey-challenge', [signed.evidence.challenge], { consentId: next.id, txId });
    }
    state.emit(EVENT[action], signed ? { ...eventOf(next), evidence: signed.evidence } : eventOf(next));
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
