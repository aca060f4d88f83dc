import { createHash, randomBytes } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK, type JWK } from 'jose';
import {
  canonicalJson,
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
import { ConsentDecisions, isRefusal, statusEvent } from './consent-decisions.js';
import type { ConsentLedger, ConsentNotices, ConsentNotifier, ConsentParty, DecisionEvidenceLog, NoticeRef } from './ports.js';
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
  /** Versioned notices: the versions a request shows go into its artefact; an approval of replaced text is refused. */
  notices?: ConsentNotices;
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
  private readonly notices: ConsentNotices | undefined;
  private readonly clock: Clock;
  private readonly consentedRead: ReadPipeline;
  private readonly decider: ConsentDecisions;

  constructor(deps: ConsentServiceDeps) {
    this.store = deps.store;
    this.vault = deps.vault;
    this.ledger = deps.ledger;
    this.keys = deps.keys;
    this.recorder = deps.recorder;
    this.history = deps.history;
    this.notify = deps.notify ?? (async () => {});
    this.notices = deps.notices;
    this.clock = deps.clock ?? systemClock;
    this.decider = new ConsentDecisions({
      store: deps.store,
      ledger: deps.ledger,
      recorder: deps.recorder,
      notify: this.notify,
      decisions: deps.decisions,
      notices: deps.notices,
      signArtefact: (consent) => this.artefact(consent),
    });
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
    return this.create({ id: consumer.id, name: consumer.name }, subjectId, input, options.ref ?? null);
  }

  /**
   * The citizen asked again after a material notice change (issue 17 item 4): a new request with the
   * terms of `predecessor` under the current notices, naming the consent it replaces. `ref` keeps it
   * to one on the ledger however often the notices sweep runs after a crash.
   */
  async requestSuccessor(predecessor: ConsentRow, ref: string): Promise<ConsentRow> {
    const earlier = await this.earlierAttempt(ref);
    if (earlier) return earlier;
    const input = {
      purpose: predecessor.purpose,
      fields: predecessor.requested_fields,
      accessMode: predecessor.access_mode,
      validUntil: predecessor.valid_until.toISOString(),
      retentionDays: predecessor.retention_days,
      justification: predecessor.justification,
      onwardTransfer: predecessor.onward_transfer,
      crossBorder: predecessor.cross_border,
    };
    return this.create({ id: predecessor.consumer_org_id, name: predecessor.consumer_name }, predecessor.subject_id, input, ref, predecessor.id);
  }

  private async create(
    consumer: { id: string; name: string },
    subjectId: string,
    input: Omit<ConsentRequestInput, 'nationalId'>,
    ref: string | null,
    supersedes?: string,
  ): Promise<ConsentRow> {
    const now = this.clock.now();
    const id = newId(now.getTime());
    const notices: NoticeRef[] | undefined = await this.notices?.current({ purpose: input.purpose, fields: input.fields, consumerOrgId: consumer.id });
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
      // The exact notice versions shown, by hash, so the artefact hash on the ledger covers their text.
      ...(notices ? { notices } : {}),
      ...(supersedes ? { supersedes } : {}),
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
      request_ref: ref,
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
    return this.decider.decideOn(await this.ownedByCitizen(nationalId, consentId), action, fields, options);
  }

  /**
   * Every active or paused consent of a subject revoked, on the ledger, as the citizen's own revoke
   * would be: what carrying out a WITHDRAW_ALL or an ERASE request does. Safe to run again.
   */
  async revokeAllOf(subjectId: string): Promise<string[]> {
    return this.decider.revokeAllOf(subjectId);
  }

  /** A decision the citizen's device signed, already checked by the caller (see `ConsentDecisions.decideWithPasskey`). */
  async decideWithPasskey(
    consent: ConsentRow,
    statement: DecisionStatement,
    assertion: PasskeyAssertion,
  ): Promise<{ consent: ConsentRow; transactionId: string; leafIndex: number }> {
    return this.decider.decideWithPasskey(consent, statement, assertion);
  }

  /** Closes the re-consent a committed successor answered, if a crash left it open (the notices sweep). */
  async closeSuccession(successor: Pick<ConsentRow, 'id' | 'status'>): Promise<void> {
    return this.decider.closeSuccession(successor);
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
      .encrypt(await encryptionKey(jwk));
  }

  private async submit(fn: string, ...args: string[]): Promise<{ consent: Consent; transactionId: string }> {
    const receipt = await this.ledger.submitWithReceipt('consent', fn, ...args);
    return { consent: JSON.parse(Buffer.from(receipt.result).toString()) as Consent, transactionId: receipt.transactionId };
  }

  private async onLedger(consentId: string): Promise<Consent | undefined> {
    return JSON.parse(Buffer.from(await this.ledger.evaluate('consent', 'GetConsent', consentId)).toString()) as Consent;
  }
}

/** An opaque page position, the `(time, id)` of the last item seen, in the API's one cursor codec. */
function cursorAt(at: Date, id: string): string {
  return encodeCursor([at.toISOString(), id]);
}

function parseCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = decodeCursor(cursor, ['instant', 'uuid'] as const)!;
  return { at: new Date(at), id };
}

/** Imported X25519 public keys, by their own bytes: importing one cost about 0.26 ms of CPU per encrypted read. */
const encryptionKeys = new Map<string, ReturnType<typeof importJWK>>();
const MAX_ENCRYPTION_KEYS = 10_000;

/**
 * An organisation's encryption key, imported once. Keyed by the curve and the public key itself,
 * so a rotated or replaced key is a different entry and a stale one can never be used.
 */
function encryptionKey(jwk: JWK): ReturnType<typeof importJWK> {
  const id = `${jwk.crv}:${jwk.x}`;
  let key = encryptionKeys.get(id);
  if (!key) {
    if (encryptionKeys.size >= MAX_ENCRYPTION_KEYS) encryptionKeys.clear();
    key = importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'ECDH-ES');
    key.catch(() => encryptionKeys.delete(id)); // a key that did not import is not kept
    encryptionKeys.set(id, key);
  }
  return key;
}
