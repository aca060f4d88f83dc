import { createHash } from 'node:crypto';
import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type { LogService } from '../audit/index.js';
import type { SigningKeys } from '../auth/signing-keys.js';
import type { ConsentService } from '../consent/index.js';
import { DomainError } from '../errors/index.js';
import type { PasskeyStore } from './passkey-store.js';

export const EVIDENCE_FORMAT = 'citizen-vault/consent-evidence/v1';

export interface EvidencePackageDeps {
  store: PasskeyStore;
  consents: ConsentService;
  log: LogService;
  keys: SigningKeys;
}

/**
 * The evidence of a device-signed decision, for anyone to verify offline (issue 17): the consent
 * artefact (JWS, with the key that signed it), the decision statement and the WebAuthn assertion,
 * the ledger transaction, and the log leaf that records them with its inclusion proof under a
 * signed tree head (with the log's key). Answered as canonical JSON: sorted keys, no spaces, so a
 * verifier can refuse any other spelling and any changed byte fails.
 */
export async function evidencePackage(deps: EvidencePackageDeps, nationalId: string, consentId: string, transactionId?: string): Promise<string> {
  const consent = await deps.consents.ownedByCitizen(nationalId, consentId);
  const decision = await deps.store.decision(consent.id, transactionId);
  if (!decision || decision.leafIndex === undefined || !decision.logEntry) {
    throw new DomainError('not_found', `consent ${consent.id} has no decision signed with a passkey${transactionId ? ` in transaction ${transactionId}` : ''}`);
  }
  const head = await deps.log.latest();
  if (!head || head.treeSize <= decision.leafIndex) throw new DomainError('evidence_not_ready', 'no signed tree head covers the decision yet');
  const proof = await deps.log.inclusionProof(decision.leafIndex, head.treeSize);
  const entry = canonicalJson(decision.logEntry);
  const leaf = createHash('sha256').update(Buffer.of(0)).update(entry).digest('hex');
  if (leaf !== proof.leafHash) throw new Error(`the stored entry of leaf ${decision.leafIndex} is not the one the log holds`);
  const artefactKey = deps.keys.jwks.keys.find((k) => k.kid === deps.keys.kid)!;
  return canonicalJson({
    format: EVIDENCE_FORMAT,
    // As the decision left it, signed then; a decision recorded before that was kept gets today's.
    artefact: decision.artefactJws ?? (await deps.consents.artefact(consent)),
    decision: decision.statement,
    assertion: decision.assertion,
    ledger: { transactionId: decision.transactionId },
    log: {
      leafIndex: decision.leafIndex,
      entry,
      treeHead: { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId: head.keyId, signature: head.signature },
      auditPath: proof.auditPath,
    },
    keys: {
      artefact: { kty: artefactKey.kty, crv: artefactKey.crv, x: artefactKey.x, y: artefactKey.y, kid: artefactKey.kid },
      log: { keyId: deps.log.key.keyId, jwk: deps.log.key.publicJwk },
    },
  });
}
