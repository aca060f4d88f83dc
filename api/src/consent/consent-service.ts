import { createHash, randomBytes } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK, type JWK } from 'jose';
import {
  CONSENT_TRANSITIONS,
  assertionHash,
  canonicalJson,
  decisionChallenge,
  isFieldPath,
  type AccessModeValue,
  type Consent,
  type ConsentAction,
  type ConsentStatus,
  type DecisionStatement,
  type PasskeyAssertion,
} from '@citizen-vault/chaincode/rules';
import type { AccessHistory, AccessRecorder, AccessEventRow } from '../audit/index.js';
import type { SigningKeys } from '../auth/signing-keys.js';
import { DomainError } from '../errors/index.js';
import { decodeCursor, encodeCursor } from '../infra/cursor.js';
import { newId } from '../ids.js';
import { systemClock, type Clock } from '../infra/clock.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import type { VaultReader } from '../vault/index.js';
import { intentRow, type ConsentInsert, type ConsentRow, type ConsentStore } from './consent-store.js';
import type { ConsentLedger, ConsentNotifier, ConsentParty, DecisionEvidenceLog } from './ports.js';
import type { ConsentedRead } from './read/consented-read.js';
import { readPipeline, type ReadPipeline } from './read/read-pipeline.js';
import type { ReadSource } from './read/read-source.js';

export interface ConsentServiceDeps {
  store: ConsentStore;
  vault: VaultReader;
  /** The consent with its uses and the subject's sealed key and records, in one round trip, for consented reads. */
  readSource?: ReadSource;
  ledger: ConsentLedger;
  keys: SigningKeys;
  /** The access log's append side: consented reads and committed decisions are recorded there. */
  recorder: AccessRecorder;
  /** The access log's read side: a citizen's own reads. */
  history: AccessHistory;
  /** Tells the consumer of a status change (webhooks). */
  notify?: ConsentNotifier;
  /** Keeps how each decision was authenticated (passkey or session); optional where nothing asks. */
  decisions?: DecisionEvidenceLog;
  clock?: Clock;
}

export interface ConsentRequestInput {
  nationalId: string;
  purpose: string;
  fields: string[];
  accessMode: AccessModeValue;
  validUntil: string;
  retentionDays: number;
  justification: string;
  onwardTransfer: boolean;
  crossBorder: boolean;
}

/**
 * The consent story: a consumer asks; the citizen answers all, part or nothing, pauses, resumes,
 * revokes — each a ledger transaction, written to the read model once committed and before the
 * answer; the consumer reads exactly what was granted, each read checked and recorded first.
 */
export class ConsentService {
  private readonly store: ConsentStore;
  private readonly vault: VaultReader;
  private readonly ledger: ConsentLedger;
  private readonly keys: SigningKeys;
  private readonly recorder: AccessRecorder;
  private readonly history: AccessHistory;
  private readonly notify: ConsentNotifier;
  private readonly decisions: DecisionEvidenceLog | undefined;
  private readonly clock: Clock;
  private readonly consentedRead: ReadPipeline;

  constructor(deps: ConsentServiceDeps) {
    this.store = deps.store;
    this.vault = deps.vault;
    this.ledger = deps.ledger;
    this.keys = deps.keys;
    this.recorder = deps.recorder;
    this.history = deps.history;
    this.notify = deps.notify ?? (async () => {});
    this.decisions = deps.decisions;
    this.clock = deps.clock ?? systemClock;
    this.consentedRead = readPipeline({
      store: deps.store,
      vault: deps.vault,
      ...(deps.readSource ? { source: deps.readSource } : {}),
      recorder: deps.recorder,
      clock: this.clock,
    });
  }

  /**
   * A consumer's request, put on the ledger and then into the read model. `ref` names the request's
   * Idempotency-Key: if an earlier attempt under it died (`retry`), the consent it made is the
   * answer — finished from its intent if need be — never a second one on the ledger.
   */
  async request(consumer: ConsentParty, input: ConsentRequestInput, options: { ref?: string; retry?: boolean } = {}): Promise<ConsentRow> {
    if (options.retry && options.ref) {
      const earlier = await this.earlierAttempt(options.ref);
      if (earlier) return earlier;
    }
    if (!consumer.roles.includes('consumer')) throw new DomainError('forbidden', 'only a consumer organisation requests consent');
    const unknown = input.fields.filter((f) => !isFieldPath(f));
    if (unknown.length > 0)
      throw new DomainError('invalid_request', 'unknown fields', {
        errors: unknown.map((f) => ({ path: '/fields', message: `${f} is not in the vocabulary` })),
      });
    const now = this.clock.now();
    if (Date.parse(input.validUntil) <= now.getTime())
      throw new DomainError('invalid_request', 'validUntil must be in the future', { errors: [{ path: '/validUntil', message: 'in the past' }] });
    const subjectId = (await this.vault.subjectId(input.nationalId, true))!;
    const id = newId(now.getTime());
    const artefact = {
      id,
      subjectId,
      consumer: { id: consumer.id, name: consumer.name },
      purpose: input.purpose,
      requestedFields: input.fields,
      accessMode: input.accessMode,
      validFrom: now.toISOString(),
      validUntil: new Date(input.validUntil).toISOString(),
      retentionDays: input.retentionDays,
      onwardTransfer: input.onwardTransfer,
      crossBorder: input.crossBorder,
      justification: input.justification,
      requestedAt: now.toISOString(),
    };
    const salt = randomBytes(32);
    const artefactHash = createHash('sha256').update(salt).update(canonicalJson(artefact)).digest('hex');
    const row: ConsentInsert = {
      id,
      subject_id: subjectId,
      consumer_org_id: consumer.id,
      purpose: input.purpose,
      requested_fields: input.fields,
      access_mode: input.accessMode,
      valid_from: new Date(artefact.validFrom),
      valid_until: new Date(artefact.validUntil),
      retention_days: input.retentionDays,
      onward_transfer: input.onwardTransfer,
      cross_border: input.crossBorder,
      justification: input.justification,
      status: 'REQUESTED',
      artefact,
      artefact_salt: salt,
      artefact_hash: artefactHash,
      requested_at: now,
      updated_at: now,
      request_ref: options.ref ?? null,
    };
    // What the ledger will not hold is kept first, so a crash after the commit leaves work the repair sweep can finish.
    await this.store.insertIntent(row);
    let onLedger: Consent;
    try {
      onLedger = (
        await this.submit(
          'RequestConsent',
          JSON.stringify({
            id,
            subjectId,
            consumerOrgId: consumer.id,
            purpose: input.purpose,
            requestedFields: input.fields,
            accessMode: input.accessMode,
            validFrom: artefact.validFrom,
            validUntil: artefact.validUntil,
            retentionDays: input.retentionDays,
            onwardTransfer: input.onwardTransfer,
            crossBorder: input.crossBorder,
            artefactHash,
          }),
        )
      ).consent;
    } catch (err) {
      // Refused: nothing to finish. Unknown (the ledger did not answer): the sweep decides from the ledger.
      if (isRefusal(err)) await this.store.dropIntent(id).catch(() => {});
      throw err;
    }
    await this.store.insert({ ...row, status: onLedger.status });
    const stored = (await this.store.get(id))!;
    await this.notify(consumer.id, 'consent.requested', statusEvent(stored));
    return stored;
  }

  private async earlierAttempt(ref: string): Promise<ConsentRow | undefined> {
    const earlier = await this.store.byRequestRef(ref);
    if (earlier.consent) return earlier.consent;
    if (!earlier.intent) return undefined;
    const id = String(earlier.intent.consent.id);
    const onLedger = await this.onLedger(id).catch((err: unknown) =>
      err instanceof LedgerError && err.code === 'not_found' ? undefined : Promise.reject(err),
    );
    if (!onLedger) {
      await this.store.dropIntent(id); // it never reached the ledger: this attempt starts afresh
      return undefined;
    }
    // Through REQUESTED to the ledger's current state, never through a state it has left.
    await this.store.insert({ ...intentRow(earlier.intent.consent, earlier.intent.artefact_salt, 'REQUESTED'), updated_at: new Date(onLedger.requestedAt) });
    await this.store.applyDecision(id, {
      status: onLedger.status,
      grantedFields: onLedger.grantedFields,
      decidedAt: onLedger.decidedAt,
      updatedAt: onLedger.updatedAt,
    });
    return this.store.get(id);
  }

  async listForCitizen(nationalId: string, status?: ConsentStatus): Promise<ConsentRow[]> {
    const subjectId = await this.vault.subjectId(nationalId, false);
    return subjectId ? this.store.forSubject(subjectId, status) : [];
  }

  /**
   * A citizen's decision on their own consent; answered only after the ledger has committed it, with
   * its read-model row and its log leaf written. A revoke or pause blocks reads first, before the
   * ledger is asked: no read succeeds once the citizen has pressed the button, and the block is
   * lifted only if the ledger refuses. `retry` says an earlier attempt of this very request (same
   * Idempotency-Key) never finished: if the ledger already holds its outcome, that is the answer.
   */
  async decide(
    nationalId: string,
    consentId: string,
    action: Exclude<ConsentAction, 'expire'>,
    fields?: string[],
    options: { retry?: boolean } = {},
  ): Promise<ConsentRow> {
    return this.decideOn(await this.ownedByCitizen(nationalId, consentId), action, fields, options);
  }

  /**
   * Every active or paused consent of a subject revoked, on the ledger, as the citizen's own revoke
   * would be (reads blocked first, the consumer told): what carrying out a WITHDRAW_ALL or an ERASE
   * request does. Safe to run again after a crash: a consent already revoked is skipped, and one
   * whose revoke committed without reaching the read model is finished from the ledger.
   */
  async revokeAllOf(subjectId: string): Promise<string[]> {
    const open = [...(await this.store.forSubject(subjectId, 'ACTIVE')), ...(await this.store.forSubject(subjectId, 'PAUSED'))];
    const revoked: string[] = [];
    for (const consent of open) {
      await this.decideOn(consent, 'revoke', undefined, { retry: true });
      revoked.push(consent.id);
    }
    return revoked;
  }

  private async decideOn(
    consent: ConsentRow,
    action: Exclude<ConsentAction, 'expire'>,
    fields: string[] | undefined,
    options: { retry?: boolean },
  ): Promise<ConsentRow> {
    const args = action === 'approve' ? [consent.id, fields ? JSON.stringify(fields) : ''] : [consent.id];
    const name = { approve: 'ApproveConsent', reject: 'RejectConsent', pause: 'PauseConsent', resume: 'ResumeConsent', revoke: 'RevokeConsent' }[action];
    const blocks = action === 'revoke' || action === 'pause';
    if (blocks) await this.store.block(consent.id, action);
    let committed: Consent;
    let transactionId: string | undefined;
    try {
      ({ consent: committed, transactionId } = await this.submit(name, ...args));
    } catch (err) {
      const onLedger = options.retry && err instanceof LedgerError && err.code === 'illegal_transition' ? await this.onLedger(consent.id) : undefined;
      if (onLedger?.status === CONSENT_TRANSITIONS[action].to) {
        committed = onLedger; // the first attempt committed it; the repair sweep gives that transaction its leaf
      } else {
        if (blocks && isRefusal(err)) await this.store.unblock(consent.id);
        throw err;
      }
    }
    await this.store.applyDecision(consent.id, {
      status: committed.status,
      grantedFields: committed.grantedFields,
      decidedAt: committed.decidedAt,
      updatedAt: committed.updatedAt,
    });
    if (transactionId) {
      await this.recorder.append('consent_decision', decisionEntry(consent, action, committed), transactionId);
      await this.decisions?.record({ transactionId, consentId: consent.id, action, method: 'session', at: new Date(committed.updatedAt) });
    }
    const updated = (await this.store.get(consent.id))!;
    await this.notify(updated.consumer_org_id, `consent.${committed.status.toLowerCase()}`, statusEvent(updated));
    return updated;
  }

  /**
   * A decision the citizen's device signed (issue 17): `statement` is what the device signed and
   * `assertion` its WebAuthn assertion with the credential's public key, both already checked by the
   * caller. The ledger checks them again against the consent's artefact hash and keeps their hashes;
   * the assertion travels in the transient map. The log leaf records the hashes and the transaction.
   * A revoke or pause blocks reads first, as `decide` does.
   */
  async decideWithPasskey(
    consent: ConsentRow,
    statement: DecisionStatement,
    assertion: PasskeyAssertion,
  ): Promise<{ consent: ConsentRow; transactionId: string; leafIndex: number }> {
    if (!this.ledger.submitTransientWithReceipt) throw new DomainError('ledger_error', 'this ledger cannot take a device-signed decision');
    const action = statement.action;
    const blocks = action === 'revoke' || action === 'pause';
    if (blocks) await this.store.block(consent.id, action);
    let receipt: { result: Uint8Array; transactionId: string };
    try {
      receipt = await this.ledger.submitTransientWithReceipt('consent', 'DecideConsentWithPasskey', [JSON.stringify(statement)], {
        passkeyAssertion: JSON.stringify(assertion),
      });
    } catch (err) {
      if (blocks && isRefusal(err)) await this.store.unblock(consent.id);
      throw err;
    }
    const committed = JSON.parse(Buffer.from(receipt.result).toString()) as Consent;
    await this.store.applyDecision(consent.id, {
      status: committed.status,
      grantedFields: committed.grantedFields,
      decidedAt: committed.decidedAt,
      updatedAt: committed.updatedAt,
    });
    const evidence = passkeyEvidenceOf(statement, assertion);
    const entry = { ...decisionEntry(consent, statement.action, committed), transactionId: receipt.transactionId, evidence };
    const { leafIndex } = await this.recorder.append('consent_decision', entry, receipt.transactionId);
    await this.decisions?.record({
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
    const updated = (await this.store.get(consent.id))!;
    await this.notify(updated.consumer_org_id, `consent.${committed.status.toLowerCase()}`, statusEvent(updated));
    return { consent: updated, transactionId: receipt.transactionId, leafIndex };
  }

  /** A consumer's consents, newest first, with an opaque cursor for the next page ('' at the end). */
  async listForConsumer(
    consumerOrgId: string,
    options: { status?: ConsentStatus; limit: number; cursor?: string },
  ): Promise<{ items: ConsentRow[]; nextCursor: string }> {
    const position = options.cursor ? parseCursor(options.cursor) : undefined;
    const after = position ? { requestedAt: position.at, id: position.id } : undefined;
    const rows = await this.store.forConsumer(consumerOrgId, {
      ...(options.status ? { status: options.status } : {}),
      limit: options.limit + 1,
      ...(after ? { after } : {}),
    });
    const items = rows.slice(0, options.limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > options.limit && last ? cursorAt(last.requested_at, last.id) : '';
    return { items, nextCursor };
  }

  /** Every read of the citizen's data, granted or refused, newest first, a page at a time ('' after the last page). */
  async accessEventsFor(nationalId: string, options: { limit: number; cursor?: string }): Promise<{ items: AccessEventRow[]; nextCursor: string }> {
    const after = options.cursor ? parseCursor(options.cursor) : undefined;
    const subjectId = await this.vault.subjectId(nationalId, false);
    if (!subjectId) return { items: [], nextCursor: '' };
    const rows = await this.history.accessEventsOf(subjectId, { limit: options.limit + 1, ...(after ? { after } : {}) });
    const items = rows.slice(0, options.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > options.limit && last ? cursorAt(last.at, last.id) : '' };
  }

  async forConsumer(consumerOrgId: string, consentId: string): Promise<ConsentRow> {
    const consent = await this.store.get(consentId);
    if (!consent || consent.consumer_org_id !== consumerOrgId) throw new DomainError('not_found', `consent ${consentId} does not exist`);
    return consent;
  }

  async ownedByCitizen(nationalId: string, consentId: string): Promise<ConsentRow> {
    const subjectId = await this.vault.subjectId(nationalId, false);
    const consent = await this.store.get(consentId);
    // Someone else's consent answers exactly like a missing one.
    if (!consent || !subjectId || consent.subject_id !== subjectId) throw new DomainError('not_found', `consent ${consentId} does not exist`);
    return consent;
  }

  /** The consent record as a JWS (ES256, the API's key) over its canonical JSON: evidence either party can keep. */
  async artefact(consent: ConsentRow): Promise<string> {
    const document = {
      ...consent.artefact,
      status: consent.status,
      grantedFields: consent.granted_fields,
      decidedAt: consent.decided_at?.toISOString() ?? null,
      ledger: { artefactHash: consent.artefact_hash },
    };
    return new CompactSign(new TextEncoder().encode(canonicalJson(document)))
      .setProtectedHeader({ alg: 'ES256', kid: this.keys.kid, typ: 'consent+jws', cty: 'application/json' })
      .sign(this.keys.privateKey);
  }

  /**
   * A consented read: checked against the consent's current state (status, window, purpose, fields,
   * frequency), recorded as an access event — granted or denied — before anything leaves, and
   * answered with only the granted fields. The steps are in `read/`.
   */
  async read(consumer: Pick<ConsentParty, 'id'>, consentId: string, requested: string[] | undefined): Promise<ConsentedRead> {
    return this.consentedRead(consumer.id, consentId, requested);
  }

  /**
   * Signs the response with the API's key (so the consumer can check it came from the vault), then
   * encrypts it to the organisation's registered X25519 key: a compact JWE (ECDH-ES, A256GCM) whose
   * content is a compact JWS (ES256) of the JSON.
   */
  async encryptFor(consumer: ConsentParty, payload: unknown): Promise<string> {
    const jwk = consumer.jwks.keys.find((k: JWK) => k.use === 'enc' && k.crv === 'X25519');
    if (!jwk) throw new DomainError('not_acceptable', 'the organisation has no registered X25519 encryption key');
    const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', kid: this.keys.kid, typ: 'consent-data+jws', cty: 'application/json' })
      .sign(this.keys.privateKey);
    return new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: jwk.kid, cty: 'JWS' })
      .encrypt(await importJWK(jwk, 'ECDH-ES'));
  }

  private async submit(fn: string, ...args: string[]): Promise<{ consent: Consent; transactionId: string }> {
    const receipt = await this.ledger.submitWithReceipt('consent', fn, ...args);
    return { consent: JSON.parse(Buffer.from(receipt.result).toString()) as Consent, transactionId: receipt.transactionId };
  }

  private async onLedger(consentId: string): Promise<Consent | undefined> {
    return JSON.parse(Buffer.from(await this.ledger.evaluate('consent', 'GetConsent', consentId)).toString()) as Consent;
  }
}

/** Did the ledger say no (nothing committed), as opposed to not answering (the outcome is unknown)? */
export function isRefusal(err: unknown): boolean {
  return err instanceof LedgerError && err.code !== 'ledger_unavailable' && err.code !== 'ledger_error';
}

/** The log entry of a committed decision: pseudonymous ids and consent metadata only. */
export function decisionEntry(
  consent: Pick<ConsentRow, 'id' | 'subject_id' | 'consumer_org_id' | 'purpose'>,
  action: Exclude<ConsentAction, 'expire'>,
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

/** An opaque page position, the `(time, id)` of the last item seen, in the API's one cursor codec. */
function cursorAt(at: Date, id: string): string {
  return encodeCursor([at.toISOString(), id]);
}

function parseCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = decodeCursor(cursor, ['instant', 'uuid'] as const)!;
  return { at: new Date(at), id };
}

/** What a consumer is told of a consent's change: its state, never the citizen's data. */
function statusEvent(c: ConsentRow): Record<string, unknown> {
  return {
    consentId: c.id,
    status: c.status,
    purpose: c.purpose,
    grantedFields: c.granted_fields,
    validUntil: c.valid_until.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}
