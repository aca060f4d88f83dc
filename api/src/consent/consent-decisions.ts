import { createHash } from 'node:crypto';
import {
  CONSENT_TRANSITIONS,
  assertionHash,
  decisionChallenge,
  type Consent,
  type ConsentAction,
  type DecisionStatement,
  type PasskeyAssertion,
} from '@citizen-vault/chaincode/rules';
import type { AccessRecorder } from '../audit/index.js';
import { DomainError } from '../errors/index.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { ConsentRow, ConsentStore } from './consent-store.js';
import type { ConsentLedger, ConsentNotices, ConsentNotifier, DecisionEvidenceLog, NoticeRef } from './ports.js';

export type DecisionAction = Exclude<ConsentAction, 'expire'>;

export interface ConsentDecisionsDeps {
  store: ConsentStore;
  ledger: ConsentLedger;
  recorder: Pick<AccessRecorder, 'append'>;
  notify: ConsentNotifier;
  decisions: DecisionEvidenceLog | undefined;
  notices: ConsentNotices | undefined;
  /** The consent artefact as a JWS: a device-signed decision keeps the one its outcome gives. */
  signArtefact: (consent: ConsentRow) => Promise<string>;
}

/**
 * The citizen's decisions on a consent — approve, reject, pause, resume, revoke — by session or
 * signed on their device: each a ledger transaction, answered only once committed, written to the
 * read model and to the log. A revoke or pause blocks reads first, before the ledger is asked. An
 * approval of text a material notice change has replaced is refused; answering a re-consent's
 * successor revokes the consent it replaces.
 */
export class ConsentDecisions {
  constructor(private readonly deps: ConsentDecisionsDeps) {}

  /**
   * Every active or paused consent of a subject revoked, on the ledger, as the citizen's own revoke
   * would be (reads blocked first, the consumer told): what carrying out a WITHDRAW_ALL or an ERASE
   * request does. Safe to run again after a crash: a consent already revoked is skipped, and one
   * whose revoke committed without reaching the read model is finished from the ledger.
   */
  async revokeAllOf(subjectId: string): Promise<string[]> {
    const { store } = this.deps;
    const open = [...(await store.forSubject(subjectId, 'ACTIVE')), ...(await store.forSubject(subjectId, 'PAUSED'))];
    const revoked: string[] = [];
    for (const consent of open) {
      await this.decideOn(consent, 'revoke', undefined, { retry: true });
      revoked.push(consent.id);
    }
    return revoked;
  }

  async decideOn(consent: ConsentRow, action: DecisionAction, fields: string[] | undefined, options: { retry?: boolean }): Promise<ConsentRow> {
    const { store } = this.deps;
    if (action === 'approve') await this.refuseOutdated(consent);
    const args = action === 'approve' ? [consent.id, fields ? JSON.stringify(fields) : ''] : [consent.id];
    const name = { approve: 'ApproveConsent', reject: 'RejectConsent', pause: 'PauseConsent', resume: 'ResumeConsent', revoke: 'RevokeConsent' }[action];
    const blocks = action === 'revoke' || action === 'pause';
    if (blocks) await store.block(consent.id, action);
    let committed: Consent;
    let transactionId: string | undefined;
    try {
      ({ consent: committed, transactionId } = await this.submit(name, ...args));
    } catch (err) {
      const onLedger = options.retry && err instanceof LedgerError && err.code === 'illegal_transition' ? await this.onLedger(consent.id) : undefined;
      if (onLedger?.status === CONSENT_TRANSITIONS[action].to) {
        committed = onLedger; // the first attempt committed it; the repair sweep gives that transaction its leaf
      } else {
        if (blocks && isRefusal(err)) await store.unblock(consent.id);
        throw err;
      }
    }
    // The read model, the log leaf and how it was authenticated are independent writes: made together,
    // the answer waits for one commit flush instead of three, and still only once all are durable.
    // A crash between them leaves what the projector and the repair sweep finish from the ledger.
    await Promise.all([
      store.applyDecision(consent.id, {
        status: committed.status,
        grantedFields: committed.grantedFields,
        decidedAt: committed.decidedAt,
        updatedAt: committed.updatedAt,
      }),
      ...(transactionId
        ? [
            this.deps.recorder.append('consent_decision', decisionEntry(consent, action, committed), transactionId),
            this.deps.decisions?.record({ transactionId, consentId: consent.id, action, method: 'session', at: new Date(committed.updatedAt) }),
          ]
        : []),
    ]);
    return this.afterCommit(consent.id, committed.status);
  }

  /**
   * A decision the citizen's device signed (issue 17): `statement` is what the device signed and
   * `assertion` its WebAuthn assertion with the credential's public key, both already checked by the
   * caller. The ledger checks them again against the consent's artefact hash and keeps their hashes;
   * the assertion travels in the transient map. The log leaf records the hashes and the transaction.
   * A revoke or pause blocks reads first, as a session decision does.
   */
  async decideWithPasskey(
    consent: ConsentRow,
    statement: DecisionStatement,
    assertion: PasskeyAssertion,
  ): Promise<{ consent: ConsentRow; transactionId: string; leafIndex: number }> {
    const { store, ledger } = this.deps;
    if (!ledger.submitTransientWithReceipt) throw new DomainError('ledger_error', 'this ledger cannot take a device-signed decision');
    const action = statement.action;
    if (action === 'approve') await this.refuseOutdated(consent);
    const blocks = action === 'revoke' || action === 'pause';
    if (blocks) await store.block(consent.id, action);
    let receipt: { result: Uint8Array; transactionId: string };
    try {
      receipt = await ledger.submitTransientWithReceipt('consent', 'DecideConsentWithPasskey', [JSON.stringify(statement)], {
        passkeyAssertion: JSON.stringify(assertion),
      });
    } catch (err) {
      if (blocks && isRefusal(err)) await store.unblock(consent.id);
      throw err;
    }
    const committed = JSON.parse(Buffer.from(receipt.result).toString()) as Consent;
    const evidence = passkeyEvidenceOf(statement, assertion);
    const entry = { ...decisionEntry(consent, statement.action, committed), transactionId: receipt.transactionId, evidence };
    const [, { leafIndex }] = await Promise.all([
      store.applyDecision(consent.id, {
        status: committed.status,
        grantedFields: committed.grantedFields,
        decidedAt: committed.decidedAt,
        updatedAt: committed.updatedAt,
      }),
      this.deps.recorder.append('consent_decision', entry, receipt.transactionId),
    ]);
    const decided = (await store.get(consent.id))!;
    await this.deps.decisions?.record({
      artefactJws: await this.deps.signArtefact(decided),
      transactionId: receipt.transactionId,
      consentId: consent.id,
      action: statement.action,
      method: 'passkey',
      statement,
      assertion,
      leafIndex,
      logEntry: { v: 1, kind: 'consent_decision', ...entry },
      at: new Date(committed.updatedAt),
    });
    return { consent: await this.afterCommit(consent.id, committed.status, decided), transactionId: receipt.transactionId, leafIndex };
  }

  /**
   * A successor's answer closes the re-consent it was made for: approved, the consent it replaces is
   * revoked (the citizen now consents under the current notices); rejected, it is revoked too — the
   * citizen declined the changed terms. Run again by the notices sweep when a crash came between,
   * from whatever state the successor reached since.
   */
  async closeSuccession(successor: Pick<ConsentRow, 'id' | 'status'>): Promise<void> {
    const notices = this.deps.notices;
    // Any state past REQUESTED but REJECTED means the citizen approved it (it may have been paused or revoked since).
    if (!notices || successor.status === 'REQUESTED') return;
    const predecessorId = await notices.predecessorOf(successor.id);
    if (!predecessorId) return;
    const predecessor = await this.deps.store.get(predecessorId);
    if (predecessor && (predecessor.status === 'ACTIVE' || predecessor.status === 'PAUSED'))
      await this.decideOn(predecessor, 'revoke', undefined, { retry: true });
    await notices.resolveReconsent(predecessorId, successor.status === 'REJECTED' ? 'declined' : 'reconsented');
  }

  /**
   * The consumer told, then a successor's re-consent closed. The decision has committed, so a
   * failure closing it (the ledger briefly away) does not turn the citizen's answer into an error:
   * the notices sweep closes it from the committed state.
   */
  private async afterCommit(consentId: string, status: Consent['status'], loaded?: ConsentRow): Promise<ConsentRow> {
    const updated = loaded ?? (await this.deps.store.get(consentId))!;
    await this.deps.notify(updated.consumer_org_id, `consent.${status.toLowerCase()}`, statusEvent(updated));
    // Only a re-consent request (its artefact names the consent it supersedes) can close a succession.
    if (supersedesOf(updated)) await this.closeSuccession({ id: consentId, status }).catch(() => undefined);
    return updated;
  }

  /** No one consents to a notice a material change has replaced: the request must be made again under the current text. */
  private async refuseOutdated(consent: ConsentRow): Promise<void> {
    const notices = this.deps.notices;
    if (!notices) return;
    const replaced = await notices.outdated(scopeOf(consent), noticesOf(consent));
    if (replaced.length > 0)
      throw new DomainError(
        'notice_outdated',
        `the notice this request showed has changed materially: ${replaced.map((n) => `${n.kind} ${n.key} v${n.version}`).join(', ')}`,
      );
  }

  private async submit(fn: string, ...args: string[]): Promise<{ consent: Consent; transactionId: string }> {
    const receipt = await this.deps.ledger.submitWithReceipt('consent', fn, ...args);
    return { consent: JSON.parse(Buffer.from(receipt.result).toString()) as Consent, transactionId: receipt.transactionId };
  }

  async onLedger(consentId: string): Promise<Consent | undefined> {
    return JSON.parse(Buffer.from(await this.deps.ledger.evaluate('consent', 'GetConsent', consentId)).toString()) as Consent;
  }
}

/** The notice versions a consent's artefact names (none for a consent made before notices were versioned). */
export function noticesOf(consent: Pick<ConsentRow, 'artefact'>): NoticeRef[] {
  const notices = consent.artefact.notices;
  return Array.isArray(notices) ? (notices as NoticeRef[]) : [];
}

/** The consent a successor request replaces, as its artefact says (null for any other). */
export function supersedesOf(consent: Pick<ConsentRow, 'artefact'>): string | null {
  return typeof consent.artefact.supersedes === 'string' ? consent.artefact.supersedes : null;
}

function scopeOf(consent: ConsentRow): { purpose: string; fields: string[]; consumerOrgId: string } {
  return { purpose: consent.purpose, fields: consent.requested_fields, consumerOrgId: consent.consumer_org_id };
}

/** Did the ledger say no (nothing committed), as opposed to not answering (the outcome is unknown)? */
export function isRefusal(err: unknown): boolean {
  return err instanceof LedgerError && err.code !== 'ledger_unavailable' && err.code !== 'ledger_error';
}

/** The log entry of a committed decision: pseudonymous ids and consent metadata only. */
export function decisionEntry(
  consent: Pick<ConsentRow, 'id' | 'subject_id' | 'consumer_org_id' | 'purpose'>,
  action: DecisionAction,
  committed: Pick<Consent, 'status' | 'grantedFields' | 'updatedAt'>,
): Record<string, unknown> {
  return {
    consentId: consent.id,
    subjectId: consent.subject_id,
    consumerOrgId: consent.consumer_org_id,
    purpose: consent.purpose,
    action,
    status: committed.status,
    grantedFields: committed.grantedFields,
    at: committed.updatedAt,
  };
}

/** What the log keeps of a device-signed decision: the same hashes the ledger keeps. */
function passkeyEvidenceOf(statement: DecisionStatement, assertion: PasskeyAssertion): Record<string, string> {
  return {
    method: 'passkey',
    publicKeyHash: createHash('sha256').update(Buffer.from(assertion.publicKey, 'base64url')).digest('hex'),
    assertionHash: assertionHash(assertion),
    challenge: decisionChallenge(statement),
  };
}

/** What a consumer is told of a consent's change: its state, never the citizen's data. */
export function statusEvent(c: ConsentRow): Record<string, unknown> {
  const supersedes = supersedesOf(c);
  return {
    consentId: c.id,
    status: c.status,
    purpose: c.purpose,
    grantedFields: c.granted_fields,
    validUntil: c.valid_until.toISOString(),
    updatedAt: c.updated_at.toISOString(),
    ...(supersedes ? { supersedes } : {}),
  };
}
