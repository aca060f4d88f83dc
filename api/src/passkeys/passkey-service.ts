import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  CONSENT_TRANSITIONS,
  ChaincodeError,
  DecisionStatementInput,
  decisionChallenge,
  verifyDecisionAssertion,
  type ConsentAction,
  type DecisionStatement,
  type PasskeyAssertion,
} from '@citizen-vault/chaincode/rules';
import type { ConsentRow, ConsentService } from '../consent/index.js';
import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import type { PasskeyCredential, PasskeyStore, StoredDecision } from './passkey-store.js';
import { spkiOfCoseKey } from './webauthn-keys.js';

/** How long a citizen has to answer the device's prompt. */
const CHALLENGE_TTL_MS = 5 * 60_000;

/** The relying party: the portal's origin, and its host name as the WebAuthn RP ID. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export interface PasskeyServiceDeps {
  store: PasskeyStore;
  consents: ConsentService;
  /** The vault's pseudonymous subject id for a citizen: passkeys belong to it, never to a national id. */
  subjects: { subjectId(nationalId: string, create: boolean): Promise<string | undefined> };
  rp: RelyingParty;
  clock: Clock;
}

export type DecisionAction = Exclude<ConsentAction, 'expire'>;

/** What a device-signed decision answers: the consent's state after it, and the ledger transaction. */
export interface SignedDecision {
  consentId: string;
  status: string;
  grantedFields: string[];
  transactionId: string;
  statement: DecisionStatement;
}

/**
 * Passkeys for citizens (issue 17): register one, then let the device sign each consent decision.
 * A decision's challenge is the hash of the statement it commits to (consent, artefact hash,
 * action, fields, time); it is issued once, used once, and checked here, then by the chaincode.
 */
export class PasskeyService {
  constructor(private readonly deps: PasskeyServiceDeps) {}

  async list(nationalId: string): Promise<PasskeyCredential[]> {
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    return subjectId ? this.deps.store.credentials(subjectId) : [];
  }

  async registrationOptions(nationalId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const subjectId = (await this.deps.subjects.subjectId(nationalId, true))!;
    const existing = await this.deps.store.credentials(subjectId);
    const options = await generateRegistrationOptions({
      rpName: this.deps.rp.name,
      rpID: this.deps.rp.id,
      userName: 'citizen',
      userDisplayName: 'Citizen Vault',
      userID: Buffer.from(subjectId.replace(/-/g, ''), 'hex'),
      challenge: randomBytes(32),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports as never })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      supportedAlgorithmIDs: [-7],
      timeout: CHALLENGE_TTL_MS,
    });
    await this.deps.store.issueChallenge({
      challenge: options.challenge,
      subjectId,
      purpose: 'register',
      consentId: null,
      statement: null,
      expiresAt: new Date(this.deps.clock.now().getTime() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  async register(nationalId: string, response: RegistrationResponseJSON): Promise<PasskeyCredential> {
    const subjectId = (await this.deps.subjects.subjectId(nationalId, true))!;
    const now = this.deps.clock.now();
    const refuse = async (
      reason: string,
      code: 'passkey_registration_invalid' | 'passkey_challenge_invalid' = 'passkey_registration_invalid',
    ): Promise<never> => {
      await this.deps.store.recordEvent({ event: 'passkey-refused', subjectId, credentialId: null, reason: `registration: ${reason}` }, now);
      throw new DomainError(code, reason);
    };
    const challenge = challengeOf(response.response.clientDataJSON);
    if (!challenge) return refuse('clientDataJSON has no challenge');
    const taken = await this.deps.store.consumeChallenge(challenge, now);
    if (!('consumed' in taken) || taken.consumed.purpose !== 'register' || taken.consumed.subjectId !== subjectId) {
      return refuse('the registration challenge is unknown, expired or already used', 'passkey_challenge_invalid');
    }
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.deps.rp.origin,
        expectedRPID: this.deps.rp.id,
        requireUserVerification: true,
        supportedAlgorithmIDs: [-7],
      });
    } catch (err) {
      return refuse((err as Error).message);
    }
    if (!verified.verified || !verified.registrationInfo) return refuse('the registration did not verify');
    const { credential } = verified.registrationInfo;
    if (await this.deps.store.credential(credential.id)) return refuse('this passkey is already registered');
    const { spki, hash } = spkiOfCoseKey(credential.publicKey);
    const stored: PasskeyCredential = {
      id: credential.id,
      subjectId,
      cosePublicKey: credential.publicKey,
      publicKey: spki,
      publicKeyHash: hash,
      signCount: credential.counter,
      transports: credential.transports ?? [],
      createdAt: now,
      lastUsedAt: null,
    };
    await this.deps.store.addCredential(stored);
    await this.deps.store.recordEvent({ event: 'passkey-added', subjectId, credentialId: stored.id, reason: null }, now);
    return stored;
  }

  async remove(nationalId: string, credentialId: string): Promise<void> {
    const subjectId = await this.deps.subjects.subjectId(nationalId, false);
    const now = this.deps.clock.now();
    if (!subjectId || !(await this.deps.store.removeCredential(subjectId, credentialId, now))) {
      throw new DomainError('not_found', `passkey ${credentialId} does not exist`);
    }
    await this.deps.store.recordEvent({ event: 'passkey-removed', subjectId, credentialId, reason: null }, now);
  }

  /**
   * The statement a decision commits to, and the WebAuthn options that ask the device to sign it.
   * Approving grants the requested fields chosen (all if none are named); other actions keep the
   * consent's granted fields, which the statement names so the signature says what is ended.
   */
  async decisionChallenge(
    nationalId: string,
    consentId: string,
    action: DecisionAction,
    fields?: string[],
  ): Promise<{ statement: DecisionStatement; options: PublicKeyCredentialRequestOptionsJSON }> {
    const consent = await this.deps.consents.ownedByCitizen(nationalId, consentId);
    const credentials = await this.deps.store.credentials(consent.subject_id);
    if (credentials.length === 0) throw new DomainError('passkey_required', 'add a passkey first: the device signs the decision with it');
    if (!CONSENT_TRANSITIONS[action].from.includes(consent.status)) {
      throw new DomainError('illegal_transition', `cannot ${action} a consent that is ${consent.status}`);
    }
    const statement: DecisionStatement = {
      consentId: consent.id,
      artefactHash: consent.artefact_hash,
      action,
      grantedFields: action === 'approve' ? grantedFieldsOf(consent, fields) : consent.granted_fields,
      at: this.deps.clock.now().toISOString(),
    };
    const challenge = decisionChallenge(statement);
    const options = await generateAuthenticationOptions({
      rpID: this.deps.rp.id,
      challenge: Buffer.from(challenge, 'base64url'),
      allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports })),
      userVerification: 'required',
      timeout: CHALLENGE_TTL_MS,
    });
    await this.deps.store.issueChallenge({
      challenge,
      subjectId: consent.subject_id,
      purpose: 'decide',
      consentId: consent.id,
      statement,
      expiresAt: new Date(Date.parse(statement.at) + CHALLENGE_TTL_MS),
    });
    return { statement, options };
  }

  /**
   * A decision the device signed: the challenge is taken (once: a replay finds it used), the
   * assertion verified against the citizen's own credential, the origin and the statement, and the
   * decision submitted to the ledger, which checks it again. The exact same assertion sent again
   * for the same consent after its decision committed (the answer was lost on the way) answers that
   * decision again; any other use of a spent challenge is refused.
   */
  async signedDecision(nationalId: string, consentId: string, response: AuthenticationResponseJSON): Promise<SignedDecision> {
    const consent = await this.deps.consents.ownedByCitizen(nationalId, consentId);
    const subjectId = consent.subject_id;
    const now = this.deps.clock.now();
    const refuse = async (reason: string, code: 'passkey_assertion_invalid' | 'passkey_challenge_invalid' = 'passkey_assertion_invalid'): Promise<never> => {
      await this.deps.store.recordEvent({ event: 'passkey-refused', subjectId, credentialId: response.id.slice(0, 200), reason: `decision: ${reason}` }, now);
      throw new DomainError(code, reason);
    };
    const challenge = challengeOf(response.response.clientDataJSON);
    if (!challenge) return refuse('clientDataJSON has no challenge');
    const taken = await this.deps.store.consumeChallenge(challenge, now);
    if (!('consumed' in taken)) {
      const retried = await this.committedWith(consent, response);
      if (retried) return retried;
      return refuse(
        taken.refused?.usedAt ? 'this signed decision was already used' : 'the decision challenge is unknown or expired',
        'passkey_challenge_invalid',
      );
    }
    const issued = taken.consumed;
    if (issued.purpose !== 'decide' || issued.subjectId !== subjectId) return refuse('the challenge was not issued for this citizen’s decision');
    if (issued.consentId !== consent.id) return refuse('the assertion signs a decision on another consent');
    const statement: DecisionStatement = DecisionStatementInput.parse(issued.statement);
    const credential = await this.deps.store.credential(response.id);
    if (!credential || credential.removed || credential.subjectId !== subjectId) return refuse('the passkey is not one of this citizen’s');
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.deps.rp.origin,
        expectedRPID: this.deps.rp.id,
        credential: { id: credential.id, publicKey: new Uint8Array(credential.cosePublicKey), counter: credential.signCount },
        requireUserVerification: true,
      });
    } catch (err) {
      return refuse((err as Error).message);
    }
    if (!verified.verified) return refuse('the assertion did not verify');
    const assertion: PasskeyAssertion = {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      authenticatorData: response.response.authenticatorData,
      clientDataJSON: response.response.clientDataJSON,
      signature: response.response.signature,
    };
    try {
      verifyDecisionAssertion(statement, assertion); // the chaincode's own rule, before the ledger is asked
    } catch (err) {
      if (err instanceof ChaincodeError) return refuse(err.detail);
      throw err;
    }
    await this.deps.store.touchCredential(credential.id, verified.authenticationInfo.newCounter, now);
    const decided = await this.deps.consents.decideWithPasskey(consent, statement, assertion);
    return {
      consentId: decided.consent.id,
      status: decided.consent.status,
      grantedFields: decided.consent.granted_fields,
      transactionId: decided.transactionId,
      statement,
    };
  }

  /**
   * The decision already committed on this consent with exactly this assertion, answered as it was
   * the first time: the state the log entry records after it (not the consent's state now, which a
   * later decision may have changed), its transaction and its statement.
   */
  private async committedWith(consent: ConsentRow, response: AuthenticationResponseJSON): Promise<SignedDecision | undefined> {
    const stored = await this.deps.store.decisionByAssertion(consent.id, {
      credentialId: response.id,
      authenticatorData: response.response.authenticatorData,
      clientDataJSON: response.response.clientDataJSON,
      signature: response.response.signature,
    });
    const after = stored?.logEntry as { status?: unknown; grantedFields?: unknown } | undefined;
    if (!stored || typeof after?.status !== 'string' || !Array.isArray(after.grantedFields)) return undefined;
    return {
      consentId: consent.id,
      status: after.status,
      grantedFields: after.grantedFields.map(String),
      transactionId: stored.transactionId,
      statement: DecisionStatementInput.parse(stored.statement),
    };
  }

  /** How each of the citizen's consents was last decided: passkey or session. */
  async decisions(nationalId: string): Promise<StoredDecision[]> {
    const consents = await this.deps.consents.listForCitizen(nationalId);
    return this.deps.store.decisions(consents.map((c) => c.id));
  }
}

/** The challenge a clientDataJSON carries, or undefined if it is not one. */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as unknown;
    const challenge = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).challenge : undefined;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{16,200}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}

/** The fields an approval grants, in the request's order: all requested, or the chosen subset. */
function grantedFieldsOf(consent: ConsentRow, fields: string[] | undefined): string[] {
  if (!fields) return consent.requested_fields;
  const notRequested = fields.filter((f) => !consent.requested_fields.includes(f));
  if (notRequested.length > 0) {
    throw new DomainError('invalid_request', 'fields never requested cannot be granted', {
      errors: notRequested.map((f) => ({ path: '/fields', message: `${f} was not requested` })),
    });
  }
  if (fields.length === 0) throw new DomainError('invalid_request', 'an approval grants at least one field; reject the request instead');
  return consent.requested_fields.filter((f) => fields.includes(f));
}
