/**
 * The passkeys capability (issue 17): a citizen's passkeys, consent decisions their device signs,
 * and the evidence package of such a decision. Its store also keeps how every decision was
 * authenticated, for the consent capability (`DecisionEvidenceLog`).
 */
import type { Sql } from '../infra/database.js';
import { PgPasskeys } from './pg-passkeys.js';
import type { PasskeyStore } from './passkey-store.js';

export { PasskeyService, type PasskeyServiceDeps, type RelyingParty } from './passkey-service.js';
export { evidencePackage, EVIDENCE_FORMAT, type EvidencePackageDeps } from './evidence-package.js';
export type { PasskeyStore, PasskeyCredential, PasskeyEvent } from './passkey-store.js';

export function pgPasskeyStore(sql: Sql): PasskeyStore {
  return new PgPasskeys(sql);
}
