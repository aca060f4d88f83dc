/**
 * Offline verification of a consent decision's evidence package (issue 17), with nothing but
 * WebCrypto and jose: the artefact's signature, the device's WebAuthn assertion over the decision,
 * the log leaf that records the decision's hashes and ledger transaction, and its inclusion under a
 * signed tree head. Written independently of the API and the chaincode, so each checks the others.
 */
import { compactVerify, importJWK } from 'jose';
import { bytesToHex, hexToBytes, leafHash, verifyInclusion, verifyTreeHead, type SignedTreeHead } from './log-proofs.js';

export const EVIDENCE_FORMAT = 'citizen-vault/consent-evidence/v1';

/** A decision as the citizen's device signed it: the challenge is SHA-256 of its canonical JSON. */
export interface DecisionStatement {
  consentId: string;
  artefactHash: string;
  action: 'approve' | 'reject' | 'pause' | 'resume' | 'revoke';
  grantedFields: string[];
  at: string;
}

export interface EvidenceVerification {
  verified: boolean;
  /** Why not, in a sentence; absent when verified. */
  reason?: string;
  decision?: DecisionStatement;
  transactionId?: string;
  /** SHA-256 of the credential's public key, hex: the same on the ledger and in the log. */
  publicKeyHash?: string;
  treeHead?: SignedTreeHead;
}

/** A consent artefact key you trust: a P-256 public JWK's coordinates (and its `kid`, which must then match too). */
export interface TrustedArtefactKey {
  kid?: string;
  x: string;
  y: string;
}

/** A log key you trust: the Ed25519 public JWK's `x` (and its key id, which must then match too). */
export interface TrustedLogKey {
  keyId?: string;
  jwk: { x: string };
}

export interface EvidenceOptions {
  /**
   * The consent artefact keys and log keys you trust (as published at /.well-known/jwks.json and
   * /v1/log/public-key): the package's keys must be among them, so a package re-signed with keys of
   * its own fails. One key or a list of them; an empty list trusts none.
   */
  trustedKeys?: { artefact?: TrustedArtefactKey | TrustedArtefactKey[]; log?: TrustedLogKey | TrustedLogKey[] };
}

class Refusal extends Error {}

const subtle = (): SubtleCrypto => {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto is not available in this runtime');
  return s;
};

/**
 * Verifies an evidence package as downloaded from `/v1/me/consents/{id}/evidence`, offline. Every
 * byte counts: the package must be canonical JSON (sorted keys, no spaces), every base64url and
 * hex value in its one spelling, and every value is bound by a signature or a hash.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { verifyEvidencePackage } from '@citizen-vault/sdk';
 * const result = await verifyEvidencePackage(await readFile('consent-evidence.json'));
 * if (!result.verified) throw new Error(result.reason);
 * console.log(result.decision?.action, result.transactionId);
 * ```
 */
export async function verifyEvidencePackage(bytes: Uint8Array | string, options: EvidenceOptions = {}): Promise<EvidenceVerification> {
  try {
    return await verify(bytes, options);
  } catch (err) {
    if (err instanceof Refusal) return { verified: false, reason: err.message };
    throw err;
  }
}

async function verify(bytes: Uint8Array | string, options: EvidenceOptions): Promise<EvidenceVerification> {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch {
    refuse('the package is not JSON');
  }
  if (canonicalJson(pkg) !== text) refuse('the package is not in its canonical form (sorted keys, no spaces): it was changed');
  const p = record(pkg, 'package', ['artefact', 'assertion', 'decision', 'format', 'keys', 'ledger', 'log']);
  if (p.format !== EVIDENCE_FORMAT) refuse(`unknown format ${String(p.format)}`);

  // The decision and its challenge.
  const d = record(p.decision, 'decision', ['action', 'artefactHash', 'at', 'consentId', 'grantedFields']);
  const decision: DecisionStatement = {
    consentId: str(d.consentId, 'decision.consentId', /^[0-9a-f-]{36}$/),
    artefactHash: str(d.artefactHash, 'decision.artefactHash', /^[0-9a-f]{64}$/),
    action: str(d.action, 'decision.action', /^(approve|reject|pause|resume|revoke)$/) as DecisionStatement['action'],
    grantedFields: array(d.grantedFields, 'decision.grantedFields').map((f, i) => str(f, `decision.grantedFields[${i}]`, /^[a-z_]+\.[A-Za-z]+$/)),
    at: str(d.at, 'decision.at', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
  };
  const challenge = b64url(await sha256(utf8(canonicalJson(decision))));

  // The artefact: signed by the vault, for this consent and this artefact hash.
  const keys = record(p.keys, 'keys', ['artefact', 'log']);
  const ak = record(keys.artefact, 'keys.artefact', ['crv', 'kid', 'kty', 'x', 'y']);
  if (ak.kty !== 'EC' || ak.crv !== 'P-256') refuse('the artefact key is not a P-256 key');
  const artefactKey = {
    kty: 'EC',
    crv: 'P-256',
    x: strictB64(ak.x, 'keys.artefact.x'),
    y: strictB64(ak.y, 'keys.artefact.y'),
    kid: str(ak.kid, 'keys.artefact.kid'),
  };
  const trusted = options.trustedKeys;
  const trustedArtefact = trusted?.artefact === undefined ? undefined : [trusted.artefact].flat();
  if (trustedArtefact && !trustedArtefact.some((k) => k.x === artefactKey.x && k.y === artefactKey.y && (k.kid === undefined || k.kid === artefactKey.kid))) {
    refuse(`the artefact was signed with key ${artefactKey.kid}, which is not among the keys you trust`);
  }
  const jws = str(p.artefact, 'artefact');
  const segments = jws.split('.');
  if (segments.length !== 3) refuse('the artefact is not a compact JWS');
  segments.forEach((s, i) => strictB64(s, `artefact segment ${i + 1}`));
  let payload: Uint8Array;
  try {
    const verified = await compactVerify(jws, await importJWK({ kty: 'EC', crv: 'P-256', x: artefactKey.x, y: artefactKey.y }, 'ES256'), {
      algorithms: ['ES256'],
    });
    if (verified.protectedHeader.kid !== artefactKey.kid) refuse('the artefact names another key');
    payload = verified.payload;
  } catch (err) {
    if (err instanceof Refusal) throw err;
    refuse('the artefact’s signature does not verify');
  }
  const artefact = JSON.parse(new TextDecoder().decode(payload!)) as { id?: unknown; ledger?: { artefactHash?: unknown } };
  if (artefact.id !== decision.consentId) refuse('the artefact is for another consent');
  if (artefact.ledger?.artefactHash !== decision.artefactHash) refuse('the decision is not for this artefact: the artefact hashes differ');

  // The assertion: the device signed exactly this decision.
  const a = record(p.assertion, 'assertion', ['authenticatorData', 'clientDataJSON', 'credentialId', 'publicKey', 'signature']);
  const assertion = {
    authenticatorData: strictB64(a.authenticatorData, 'assertion.authenticatorData'),
    clientDataJSON: strictB64(a.clientDataJSON, 'assertion.clientDataJSON'),
    credentialId: strictB64(a.credentialId, 'assertion.credentialId'),
    publicKey: strictB64(a.publicKey, 'assertion.publicKey'),
    signature: strictB64(a.signature, 'assertion.signature'),
  };
  const clientDataJSON = unb64url(assertion.clientDataJSON);
  let clientData: { type?: unknown; challenge?: unknown };
  try {
    clientData = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(clientDataJSON)) as typeof clientData;
  } catch {
    refuse('the assertion’s clientDataJSON is not JSON');
  }
  if (clientData!.type !== 'webauthn.get') refuse('the assertion is not a WebAuthn get');
  if (clientData!.challenge !== challenge) refuse('the assertion signs another decision: its challenge is not this decision’s');
  const authenticatorData = unb64url(assertion.authenticatorData);
  if (authenticatorData.length < 37 || (authenticatorData[32]! & 0x05) !== 0x05) refuse('the authenticator did not see and verify the user');
  const rawSignature = derToRaw(unb64url(assertion.signature));
  if (!rawSignature) refuse('the assertion’s signature is not a DER ECDSA signature');
  const spki = unb64url(assertion.publicKey);
  let signed: boolean;
  try {
    const key = await subtle().importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    signed = await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, rawSignature!, concat(authenticatorData, await sha256(clientDataJSON)));
  } catch {
    signed = false;
  }
  if (!signed) refuse('the assertion’s signature does not verify with its public key');
  const publicKeyHash = bytesToHex(await sha256(spki));
  const assertionHash = bytesToHex(await sha256(utf8(canonicalJson(assertion))));

  // The log leaf: this decision, these hashes, this transaction; included under a signed head.
  const ledger = record(p.ledger, 'ledger', ['transactionId']);
  const transactionId = str(ledger.transactionId, 'ledger.transactionId', /^[0-9a-f]{64}$/);
  const log = record(p.log, 'log', ['auditPath', 'entry', 'leafIndex', 'treeHead']);
  const entryText = str(log.entry, 'log.entry');
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(entryText) as Record<string, unknown>;
  } catch {
    refuse('the log entry is not JSON');
  }
  const evidence = (entry!.evidence ?? {}) as Record<string, unknown>;
  if (entry!.kind !== 'consent_decision' || entry!.consentId !== decision.consentId || entry!.action !== decision.action) {
    refuse('the log entry records another decision');
  }
  if (entry!.transactionId !== transactionId) refuse('the log entry records another ledger transaction');
  if (canonicalJson(entry!.grantedFields) !== canonicalJson(decision.grantedFields)) refuse('the log entry records other fields');
  if (
    evidence.method !== 'passkey' ||
    evidence.publicKeyHash !== publicKeyHash ||
    evidence.assertionHash !== assertionHash ||
    evidence.challenge !== challenge
  ) {
    refuse('the log entry records another key or assertion');
  }
  const th = record(log.treeHead, 'log.treeHead', ['keyId', 'rootHash', 'signature', 'timestamp', 'treeSize']);
  const treeHead: SignedTreeHead = {
    treeSize: int(th.treeSize, 'log.treeHead.treeSize'),
    rootHash: str(th.rootHash, 'log.treeHead.rootHash', /^[0-9a-f]{64}$/),
    timestamp: str(th.timestamp, 'log.treeHead.timestamp'),
    keyId: str(th.keyId, 'log.treeHead.keyId'),
    signature: strictB64(th.signature, 'log.treeHead.signature'),
  };
  const lk = record(keys.log, 'keys.log', ['jwk', 'keyId']);
  const lj = record(lk.jwk, 'keys.log.jwk', ['crv', 'kty', 'x']);
  if (lj.kty !== 'OKP' || lj.crv !== 'Ed25519') refuse('the log key is not an Ed25519 key');
  const logKey = { keyId: str(lk.keyId, 'keys.log.keyId'), jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: strictB64(lj.x, 'keys.log.jwk.x') } };
  if (logKey.keyId !== `log-${bytesToHex(await sha256(unb64url(logKey.jwk.x))).slice(0, 16)}`) refuse('the log key id is not derived from the log key');
  const trustedLog = trusted?.log === undefined ? undefined : [trusted.log].flat();
  if (trustedLog && !trustedLog.some((k) => k.jwk.x === logKey.jwk.x && (k.keyId === undefined || k.keyId === logKey.keyId))) {
    refuse(`the tree head was signed with log key ${logKey.keyId}, which is not among the keys you trust`);
  }
  if (!(await verifyTreeHead(treeHead, logKey))) refuse('the signed tree head does not verify with the log key');
  const auditPath = array(log.auditPath, 'log.auditPath').map((h, i) => hexToBytes(str(h, `log.auditPath[${i}]`, /^[0-9a-f]{64}$/)));
  const leafIndex = int(log.leafIndex, 'log.leafIndex');
  if (!(await verifyInclusion(await leafHash(entryText), leafIndex, treeHead.treeSize, auditPath, hexToBytes(treeHead.rootHash)))) {
    refuse('the inclusion proof does not match the signed root: the log does not hold this entry');
  }
  return { verified: true, decision, transactionId, publicKeyHash, treeHead };
}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** An object with exactly these keys. */
function record(value: unknown, what: string, keys: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(`${what} is not an object`);
  const actual = Object.keys(value).sort();
  if (actual.join() !== [...keys].sort().join()) refuse(`${what} has the keys ${actual.join(', ')}, not ${keys.join(', ')}`);
  return value as Record<string, unknown>;
}

function str(value: unknown, what: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) refuse(`${what} is not well formed`);
  return value;
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(`${what} is not a whole number`);
  return value;
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) refuse(`${what} is not a list`);
  return value;
}

/** base64url in its one spelling: no padding, and no stray bits in the last character. */
function strictB64(value: unknown, what: string): string {
  const s = str(value, what, /^[A-Za-z0-9_-]+$/);
  if (b64url(unb64url(s)) !== s) refuse(`${what} is not canonical base64url`);
  return s;
}

function unb64url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().digest('SHA-256', bytes));
}

/** JSON with object keys sorted at every level (what the vault hashes and signs). */
function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/** A strict DER ECDSA-Sig-Value (SEQUENCE of two minimal INTEGERs) as the raw r ‖ s WebCrypto verifies. */
function derToRaw(der: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1]! & 0x80 || der[1] !== der.length - 2) return undefined;
  const out = new Uint8Array(64);
  let i = 2;
  for (let part = 0; part < 2; part++) {
    if (der[i] !== 0x02) return undefined;
    const length = der[i + 1]!;
    if (length === 0 || length > 33 || i + 2 + length > der.length) return undefined;
    let value = der.subarray(i + 2, i + 2 + length);
    if (value[0]! & 0x80) return undefined; // negative
    if (value[0] === 0 && (length === 1 || !(value[1]! & 0x80))) return undefined; // not minimal
    if (value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return undefined;
    out.set(value, part * 32 + 32 - value.length);
    i += 2 + length;
  }
  return i === der.length ? out : undefined;
}
