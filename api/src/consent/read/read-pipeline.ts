import type { AccessRecorder } from '../../audit/index.js';
import type { Clock } from '../../infra/clock.js';
import { newId } from '../../ids.js';
import type { VaultReader } from '../../vault/index.js';
import type { ConsentStore } from '../consent-store.js';
import { checkPolicy } from './check-policy.js';
import type { ConsentedRead, PendingAccess, ReadRequest } from './consented-read.js';
import { decryptFields } from './decrypt-fields.js';
import { loadConsent, loadSnapshot } from './load-consent.js';
import type { ReadSnapshot, ReadSource } from './read-source.js';
import { recordDenial, recordGrantedAccess, recordReconsentPaused, recordRestricted } from './record-access.js';
import { takeUse } from './take-use.js';

export interface ReadPipelineDeps {
  store: Pick<ConsentStore, 'getWithUses'>;
  vault: Pick<VaultReader, 'fieldsOf'> & Partial<Pick<VaultReader, 'openFields'>>;
  /**
   * Where the consent, its uses and the subject's sealed key and records come from together, in one
   * round trip (Postgres); without it, the consent from `store` and the fields through `vault`.
   */
  source?: ReadSource;
  /** The access log's append side, injected directly: every read, granted or refused, is recorded there. */
  recorder: Pick<AccessRecorder, 'recordAccess'>;
  clock: Clock;
}

export type ReadPipeline = (consumerOrgId: string, consentId: string, requested: string[] | undefined) => Promise<ConsentedRead>;

/**
 * A consented read, one step at a time: load → check policy → take use → decrypt → record access
 * (→ present, at the edge). The check is made on the consent's live state; a refusal is recorded
 * before it is answered; a granted read's event — its use counted with it — is durable before any
 * data leaves; and only the granted fields are answered.
 */
export function readPipeline(deps: ReadPipelineDeps): ReadPipeline {
  return async (consumerOrgId, consentId, requested) => {
    const at = deps.clock.now();
    const request: ReadRequest = { consumerOrgId, consentId, requested, at };
    const snapshot: ReadSnapshot = deps.source ? await loadSnapshot(deps.source, request) : { consent: await loadConsent(deps.store, request) };
    const consent = snapshot.consent;
    const fields = requested ?? consent.granted_fields;
    const event: PendingAccess = {
      id: newId(at.getTime()),
      consentId: consent.id,
      subjectId: consent.subject_id,
      consumerOrgId,
      purpose: consent.purpose,
      fields,
      at,
    };
    if (consent.subject_restricted) return recordRestricted(deps.recorder, event);
    if (consent.reconsent_paused) return recordReconsentPaused(deps.recorder, event);
    const decision = checkPolicy(consent, request, fields);
    if (!decision.allowed) return recordDenial(deps.recorder, event, decision.reason, decision.detail);
    const use = takeUse(consent, at);
    const data = await decryptFields(deps.vault, consent, fields, snapshot.sealed);
    await recordGrantedAccess(deps.recorder, event, use);
    return { consent, fields: data.fields, provenance: data.provenance };
  };
}
