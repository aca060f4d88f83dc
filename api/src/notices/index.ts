/**
 * Versioned notices and re-consent (issue 17 item 4): purposes' texts, fields' descriptions and each
 * organisation's consent notice as immutable versions; the versions a request shows go into its
 * artefact; a material version asks every consent given under an earlier one again, and reads
 * follow the rule it declares. The capability's public API: its factory and its routes.
 */
import type { AccessRecorder } from '../audit/index.js';
import type { ConsentNotices } from '../consent/index.js';
import type { Clock } from '../infra/clock.js';
import type { Sql } from '../infra/database.js';
import { IntervalWorker } from '../infra/interval-worker.js';
import type { Worker } from '../infra/worker.js';
import { vocabularyNotices } from './notice.js';
import { NoticeService } from './notice-service.js';
import { NoticesSweep, type SuccessionConsents } from './notices-sweep.js';
import { PgNotices } from './pg-notices.js';
import { PgReconsents } from './pg-reconsents.js';

export type { NoticeService } from './notice-service.js';
export type { SuccessionConsents } from './notices-sweep.js';
export { noticeHash, type Notice, type NoticeKind, type NoticeText } from './notice.js';
export { noticeRoutes } from './notice-routes.js';

export interface NoticesDeps {
  sql: Sql;
  recorder: Pick<AccessRecorder, 'append'>;
  clock: Clock;
  /** How often the sweep retries leaves and re-consents a crash or an outage left (15 s). */
  intervalMs?: number;
  log: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Two steps, because the consent service takes the notices and the sweep takes the consent service:
 * `open` gives the consent story its port (with the vocabulary's version 1 written), `start` the
 * service the routes use and the sweep.
 */
export async function openNotices(deps: NoticesDeps): Promise<{
  forConsents: ConsentNotices;
  start(consents: SuccessionConsents): { service: NoticeService; worker: Worker; sweep: () => Promise<void> };
}> {
  const store = new PgNotices(deps.sql);
  const reconsents = new PgReconsents(deps.sql);
  await store.ensureVocabulary(vocabularyNotices(), deps.clock.now());
  const forConsents: ConsentNotices = {
    current: (scope) => store.current(scope),
    outdated: (scope, shown) => store.outdated(scope, shown),
    predecessorOf: (successorId) => reconsents.predecessorOf(successorId),
    resolveReconsent: (consentId, resolution) => reconsents.resolveReconsent(consentId, resolution),
  };
  return {
    forConsents,
    start(consents) {
      const sweep = new NoticesSweep(store, reconsents, consents, deps.recorder, deps.clock);
      const service = new NoticeService(store, reconsents, sweep, deps.clock);
      const worker = new IntervalWorker('notices sweep', deps.intervalMs ?? 15_000, () => sweep.kick(), deps.log);
      return { service, worker, sweep: () => sweep.kick() };
    },
  };
}
