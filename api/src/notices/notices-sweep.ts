import type { AccessRecorder } from '../audit/index.js';
import type { ConsentRow } from '../consent/index.js';
import type { Clock } from '../infra/clock.js';
import type { PgNotices } from './pg-notices.js';
import type { PgReconsents } from './pg-reconsents.js';

/** What the sweep needs of the consent story: a consent by id, a successor request, and a successor's answer carried through. */
export interface SuccessionConsents {
  get(id: string): Promise<ConsentRow | undefined>;
  requestSuccessor(predecessor: ConsentRow, ref: string): Promise<ConsentRow>;
  closeSuccession(successor: Pick<ConsentRow, 'id' | 'status'>): Promise<void>;
}

/**
 * Moves material notice changes on, from what Postgres holds, so a crash anywhere loses nothing:
 * each published version gets its log leaf; each consent marked for re-consent gets its successor
 * request on the ledger (one, whatever the retries: its ref names the consent and the change); a
 * successor the citizen answered revokes the consent it replaces; a re-consent whose consent ended
 * meanwhile is closed. `kick` runs a round now — or right after the one in progress.
 */
export class NoticesSweep {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: PgNotices,
    private readonly reconsents: PgReconsents,
    private readonly consents: SuccessionConsents,
    private readonly recorder: Pick<AccessRecorder, 'append'>,
    private readonly clock: Clock,
    private readonly batch = 100,
  ) {}

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.round();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async round(): Promise<void> {
    for (const notice of await this.store.unlogged(this.batch)) {
      const { leafIndex } = await this.recorder.append('notice_published', {
        kind: notice.kind,
        key: notice.key,
        version: notice.version,
        textHash: notice.textHash,
        material: notice.material,
        rule: notice.rule,
        at: notice.publishedAt.toISOString(),
      });
      await this.store.setLeaf(notice, leafIndex);
    }
    for (const open of await this.reconsents.reconsentsToMove(this.batch)) {
      const consent = await this.consents.get(open.consentId);
      const live = consent && (consent.status === 'ACTIVE' || consent.status === 'PAUSED') && consent.valid_until > this.clock.now();
      if (open.successorId && open.successorStatus && open.successorStatus !== 'REQUESTED') {
        await this.consents.closeSuccession({ id: open.successorId, status: open.successorStatus as ConsentRow['status'] });
      } else if (!live) {
        await this.reconsents.resolveReconsent(open.consentId, 'ended');
      } else if (!open.successorId) {
        const successor = await this.consents.requestSuccessor(consent, `reconsent:${open.consentId}:${open.changes.length}`);
        await this.reconsents.setSuccessor(open.consentId, successor.id);
      }
    }
  }
}
