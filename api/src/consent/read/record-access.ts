import type { DenialReason } from '@citizen-vault/chaincode/rules';
import type { AccessRecorder, UseGuard } from '../../audit/index.js';
import { DomainError } from '../../errors/index.js';
import { DENIAL } from './check-policy.js';
import type { PendingAccess } from './consented-read.js';

/**
 * Step 5, record a granted read: its access event made durable in the verifiable log, its use
 * counted in the same transaction. Resolves only once durable; if the consent stopped being usable
 * meanwhile (a revoke or pause pressed, the allowance spent by a parallel read), the read is
 * recorded as denied instead and refused here — nothing has left yet.
 */
export async function recordGrantedAccess(recorder: Pick<AccessRecorder, 'recordAccess'>, event: PendingAccess, use: UseGuard): Promise<{ leafIndex: number }> {
  const recorded = await recorder.recordAccess({ ...event, outcome: 'GRANTED', usagePeriod: use.period }, use);
  if (recorded.outcome === 'DENIED') {
    if (recorded.reason === 'frequency_exceeded')
      throw new DomainError('frequency_exceeded', `${use.limit} use${use.limit === 1 ? '' : 's'} allowed in this period`);
    throw new DomainError('consent_not_active', 'the consent was revoked or paused');
  }
  return { leafIndex: recorded.leafIndex };
}

/** A refused read is recorded too — durably, before the refusal is answered — and then refused with the rule's code. */
export async function recordDenial(recorder: Pick<AccessRecorder, 'recordAccess'>, event: PendingAccess, reason: DenialReason, detail: string): Promise<never> {
  await recorder.recordAccess({ ...event, outcome: 'DENIED', reason });
  throw new DomainError(DENIAL[reason], detail);
}

/**
 * A read of a restricted subject's data (a RESTRICT or OBJECT request carried out) is recorded as
 * refused like any other (the ledger's reason vocabulary has no restriction, so as not_active: the
 * consent cannot be used) and answered with its own code.
 */
export async function recordRestricted(recorder: Pick<AccessRecorder, 'recordAccess'>, event: PendingAccess): Promise<never> {
  await recorder.recordAccess({ ...event, outcome: 'DENIED', reason: 'not_active' });
  throw new DomainError('subject_restricted', 'the citizen has restricted or objected to the processing of their data');
}

/**
 * A read of a consent a material notice change paused until the citizen consents again (the
 * change's rule was pause): recorded as refused — not_active, the consent cannot be used — and
 * answered with its own code.
 */
export async function recordReconsentPaused(recorder: Pick<AccessRecorder, 'recordAccess'>, event: PendingAccess): Promise<never> {
  await recorder.recordAccess({ ...event, outcome: 'DENIED', reason: 'not_active' });
  throw new DomainError('reconsent_required', 'a material change to the notice paused this consent until the citizen consents again');
}
