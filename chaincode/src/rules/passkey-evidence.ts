import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import type { ConsentAction } from './consent-policy.js';
import { ChaincodeError } from './errors.js';
import { FieldPath, Id, Sha256Hex, Timestamp } from './schemas.js';

/**
 * What the citizen's device signs when it decides (issue 17): the consent, the ledger's hash of its
 * artefact, the action, the fields the consent grants after the decision and the time. Its SHA-256
 * is the WebAuthn challenge, so the signature commits to exactly this decision and nothing else.
 */
export interface DecisionStatement {
  consentId: string;
  artefactHash: string;
  action: Exclude<ConsentAction, 'expire'>;
  grantedFields: string[];
  at: string;
}

/** How far the decision's time may lie from the transaction's: a device signs, then the ledger commits within minutes. */
export const DECISION_MAX_AGE_MS = 15 * 60_000;
export const DECISION_MAX_SKEW_MS = 60_000;

const Base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url without padding');

/** A WebAuthn assertion as the browser returns it (base64url fields), with the credential's public key (SPKI DER). */
export const PasskeyAssertionInput = z
  .object({
    credentialId: Base64url.max(1366),
    publicKey: Base64url.max(2000),
    authenticatorData: Base64url.max(4000),
    clientDataJSON: Base64url.max(4000),
    signature: Base64url.max(200),
  })
  .strict();
export type PasskeyAssertion = z.infer<typeof PasskeyAssertionInput>;

export const DecisionStatementInput = z
  .object({
    consentId: Id,
    artefactHash: Sha256Hex,
    action: z.enum(['approve', 'reject', 'pause', 'resume', 'revoke']),
    grantedFields: z.array(FieldPath).max(200),
    at: Timestamp,
  })
  .strict();

/** What the ledger keeps of a device-signed decision: hashes only, never the key or the assertion itself. */
export interface DecisionEvidence {
  method: 'passkey';
  /** SHA-256 of the credential's public key (SPKI DER), hex. */
  publicKeyHash: string;
  /** SHA-256 of the assertion's canonical JSON (`assertionHash`), hex. */
  assertionHash: string;
  /** The challenge the device signed, base64url: SHA-256 of the decision statement's canonical JSON. */
  challenge: string;
  /** The decision statement's time. */
  signedAt: string;
}

/** The WebAuthn challenge for a decision: SHA-256 of its canonical JSON, base64url. */
export function decisionChallenge(statement: DecisionStatement): string {
  const { consentId, artefactHash, action, grantedFields, at } = statement;
  return createHash('sha256').update(canonicalJson({ consentId, artefactHash, action, grantedFields, at }), 'utf8').digest('base64url');
}

/** SHA-256 of the assertion's canonical JSON, hex: how the ledger and the log name one assertion. */
export function assertionHash(assertion: PasskeyAssertion): string {
  const { credentialId, publicKey, authenticatorData, clientDataJSON, signature } = assertion;
  return createHash('sha256').update(canonicalJson({ credentialId, publicKey, authenticatorData, clientDataJSON, signature }), 'utf8').digest('hex');
}

/**
 * Checks that a WebAuthn assertion is the citizen's device signing exactly `statement`: the client
 * data is a `webauthn.get` whose challenge is the statement's, the authenticator saw the user present
 * and verified, and the ECDSA P-256 signature over authenticatorData ‖ SHA-256(clientDataJSON)
 * verifies with the given public key. Answers what the ledger keeps; fails `evidence_mismatch` otherwise.
 * The relying party (origin, rpIdHash) and the credential's owner are the API's to check.
 */
export function verifyDecisionAssertion(statement: DecisionStatement, assertion: PasskeyAssertion): DecisionEvidence {
  const refuse = (why: string): never => {
    throw new ChaincodeError('evidence_mismatch', why);
  };
  const authenticatorData = strictBase64url(assertion.authenticatorData, 'authenticatorData');
  const clientDataJSON = strictBase64url(assertion.clientDataJSON, 'clientDataJSON');
  const signature = strictBase64url(assertion.signature, 'signature');
  strictBase64url(assertion.credentialId, 'credentialId');
  const key = p256Key(strictBase64url(assertion.publicKey, 'publicKey'));

  let clientData: unknown;
  try {
    clientData = JSON.parse(clientDataJSON.toString('utf8'));
  } catch {
    return refuse('clientDataJSON is not JSON');
  }
  const parsed = z.object({ type: z.string(), challenge: z.string() }).safeParse(clientData);
  if (!parsed.success) return refuse('clientDataJSON has no type or challenge');
  if (parsed.data.type !== 'webauthn.get') return refuse(`clientDataJSON is a ${parsed.data.type}, not a webauthn.get`);
  const challenge = decisionChallenge(statement);
  if (parsed.data.challenge !== challenge)
    return refuse('the assertion signs another decision: its challenge is not this decision’s (consent, artefact hash, action, fields, time)');
  if (authenticatorData.length < 37) return refuse('authenticatorData is too short');
  const flags = authenticatorData[32]!;
  if ((flags & 0x01) === 0) return refuse('the authenticator did not see the user present');
  if ((flags & 0x04) === 0) return refuse('the authenticator did not verify the user');
  const signed = Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]);
  let valid: boolean;
  try {
    valid = verify('sha256', signed, { key, dsaEncoding: 'der' }, signature);
  } catch {
    valid = false;
  }
  if (!valid) return refuse('the assertion’s signature does not verify with the credential’s public key');
  return {
    method: 'passkey',
    publicKeyHash: createHash('sha256').update(strictBase64url(assertion.publicKey, 'publicKey')).digest('hex'),
    assertionHash: assertionHash(assertion),
    challenge,
    signedAt: statement.at,
  };
}

/** The decision's time must be close to the transaction's: an old assertion cannot be replayed later. */
export function checkDecisionTime(statementAt: string, txAt: string): void {
  const age = Date.parse(txAt) - Date.parse(statementAt);
  if (age > DECISION_MAX_AGE_MS) throw new ChaincodeError('evidence_mismatch', `the decision was signed at ${statementAt}, too long before ${txAt}`);
  if (age < -DECISION_MAX_SKEW_MS)
    throw new ChaincodeError('evidence_mismatch', `the decision claims a time (${statementAt}) after the transaction's (${txAt})`);
}

/** Decodes base64url, refusing any other spelling of the same bytes (so one assertion has one hash). */
function strictBase64url(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) throw new ChaincodeError('evidence_mismatch', `${what} is not canonical base64url`);
  return bytes;
}

function p256Key(spki: Buffer): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw new ChaincodeError('evidence_mismatch', 'publicKey is not an SPKI public key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ChaincodeError('evidence_mismatch', 'publicKey is not an ECDSA P-256 key');
  }
  return key;
}
