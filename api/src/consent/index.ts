/**
 * The consent capability's public API: its ports (`ConsentStore`, `ConsentLedger`), the service,
 * the consented read's pipeline, the in-memory store twin, and the factories the composition root
 * builds them with. `PgConsents` stays private to this folder. Routes are mounted by the
 * composition root from `consent-routes.ts`.
 */
import type { Sql } from '../infra/database.js';
import type { ConsentStore } from './consent-store.js';
import { ConsentService, type ConsentServiceDeps } from './consent-service.js';
import { PgConsents } from './pg-consents.js';
import { PgReadSource } from './read/pg-read-source.js';
import type { ReadSource } from './read/read-source.js';

export type { ConsentInsert, ConsentRow, ConsentStore, EarlierRequest } from './consent-store.js';
export { intentRow } from './consent-store.js';
export type {
  ConsentLedger,
  ConsentNotices,
  ConsentNotifier,
  ConsentParty,
  DecisionEvidenceLog,
  DecisionEvidenceRecord,
  NoticeRef,
  NoticeScope,
} from './ports.js';
export { type ConsentRequestInput, type ConsentService, type ConsentServiceDeps } from './consent-service.js';
export { decisionEntry, isRefusal, noticesOf, supersedesOf } from './consent-decisions.js';
export { inMemoryConsentStore, type InMemoryConsentStore } from './memory-consents.js';
export type { ConsentedRead, LoadedConsent, ReadRequest } from './read/consented-read.js';
export { readPipeline, type ReadPipeline, type ReadPipelineDeps } from './read/read-pipeline.js';
export { presentRead, type ReadBody } from './read/present-read.js';
export type { ReadSnapshot, ReadSource } from './read/read-source.js';
export { pruneEndedUsage } from './usage-sweep.js';

/** The consent read model in Postgres (consents, their intents, blocks and usage counters). */
export function pgConsentStore(sql: Sql): ConsentStore {
  return new PgConsents(sql);
}

/** A consented read's consent, uses, sealed key and records from Postgres, in one round trip. */
export function pgReadSource(sql: Sql): ReadSource {
  return new PgReadSource(sql);
}

/** The consent story, from its ports: the store, the vault's reader, the ledger, the API's signing keys and the access log. */
export function createConsentService(deps: ConsentServiceDeps): ConsentService {
  return new ConsentService(deps);
}
export { ConsentProjector, type ChaincodeEventSource } from './consent-projector.js';
