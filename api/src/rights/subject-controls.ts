import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import type { LegalHold, PgSubjectControls, Restriction } from './pg-subject-controls.js';
import type { RightsLedger } from './ports.js';
import type { RightsRequest } from './request-lifecycle.js';
import { sha256Hex, type SubjectControlRecord } from './subject-control-record.js';

/** What the statistics projection does for rights (the exchange's StatisticsExclusion fits). */
export interface StatisticsExclusion {
  forget(subjectId: string): Promise<void>;
  setRestricted(subjectId: string, restricted: boolean): Promise<void>;
}

export interface SubjectControlsDeps {
  store: PgSubjectControls;
  ledger: RightsLedger;
  statistics: StatisticsExclusion;
  /** Whether a subject exists (the vault's SubjectShredder fits). */
  subjects: { state(subjectId: string): Promise<'live' | 'shredded' | 'unknown'> };
  clock: Clock;
  newId: () => string;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Legal holds and restrictions, each change recorded on the ledger (through an outbox, so an outage
 * only delays it). A hold blocks erasure; a restriction refuses reads and leaves statistics.
 */
export class SubjectControls {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: SubjectControlsDeps) {}

  /** The operator places a legal hold with a reason; refused once the subject's erasure has started. */
  async placeHold(subjectId: string, reason: string): Promise<LegalHold> {
    const { store, clock } = this.deps;
    if ((await this.deps.subjects.state(subjectId)) === 'unknown') throw new DomainError('not_found', `no subject ${subjectId}`);
    const id = this.deps.newId();
    const at = clock.now();
    await store.underSubjectLock(subjectId, async (tx) => {
      if (await store.erasureStartedFor(tx, subjectId)) throw new DomainError('subject_erased', `subject ${subjectId} is being or has been erased`);
      await store.insertHold(
        tx,
        { id, subjectId, reason, placedAt: at },
        { id, type: 'LEGAL_HOLD_PLACED', subjectId, holdId: id, at: at.toISOString(), reasonHash: sha256Hex(reason) },
      );
    });
    await this.flush();
    return (await store.getHold(id))!;
  }

  async liftHold(holdId: string, reason: string): Promise<LegalHold> {
    const at = this.deps.clock.now();
    const lifted = await this.deps.store.liftHold(holdId, at, reason, (h) => ({
      id: this.deps.newId(),
      type: 'LEGAL_HOLD_LIFTED',
      subjectId: h.subjectId,
      holdId: h.id,
      at: at.toISOString(),
      reasonHash: sha256Hex(reason),
    }));
    if (!lifted) {
      const existing = await this.deps.store.getHold(holdId);
      if (!existing) throw new DomainError('not_found', `no legal hold ${holdId}`);
      throw new DomainError('illegal_transition', `legal hold ${holdId} was already lifted at ${existing.liftedAt?.toISOString()}`);
    }
    await this.flush();
    return lifted;
  }

  async holdsOf(subjectId: string): Promise<LegalHold[]> {
    return this.deps.store.holdsOf(subjectId);
  }

  /** Carrying out a RESTRICT or OBJECT request: the subject is restricted from now on (idempotent). */
  async restrict(request: RightsRequest): Promise<void> {
    const at = this.deps.clock.now();
    const kind = request.kind === 'OBJECT' ? 'OBJECT' : 'RESTRICT';
    await this.deps.store.placeRestriction(
      { requestId: request.id, subjectId: request.subjectId, kind, at },
      { id: this.deps.newId(), type: 'RESTRICTION_PLACED', subjectId: request.subjectId, requestId: request.id, at: at.toISOString() },
    );
    await this.deps.statistics.setRestricted(request.subjectId, true);
    await this.flush();
  }

  /** The operator lifts the restriction a request placed, with a reason; statistics count the citizen again unless another restriction stands. */
  async lift(requestId: string, reason: string): Promise<Restriction> {
    const at = this.deps.clock.now();
    const lifted = await this.deps.store.liftRestriction(requestId, at, reason, (r) => ({
      id: this.deps.newId(),
      type: 'RESTRICTION_LIFTED',
      subjectId: r.subjectId,
      requestId,
      at: at.toISOString(),
      reasonHash: sha256Hex(reason),
    }));
    if (!lifted) {
      const existing = await this.deps.store.restriction(requestId);
      if (!existing) throw new DomainError('not_found', `request ${requestId} placed no restriction (it must be a completed RESTRICT or OBJECT request)`);
      throw new DomainError('illegal_transition', `the restriction of request ${requestId} was already lifted at ${existing.liftedAt?.toISOString()}`);
    }
    if (!(await this.deps.store.stillRestricted(lifted.subjectId))) await this.deps.statistics.setRestricted(lifted.subjectId, false);
    await this.flush();
    return lifted;
  }

  async restriction(requestId: string): Promise<Restriction | undefined> {
    return this.deps.store.restriction(requestId);
  }

  /** The ledger transaction that recorded a control, once it has. */
  controlTx(id: string): Promise<string | null> {
    return this.deps.store.controlTx(id);
  }

  /** Puts pending controls on the ledger, oldest first; one flush at a time. Failures wait for the next flush. */
  flush(): Promise<number> {
    const run = this.queue.then(() => this.flushNow());
    this.queue = run.catch(() => undefined);
    return run.catch(() => 0);
  }

  private async flushNow(): Promise<number> {
    let recorded = 0;
    for (const p of await this.deps.store.pendingControls(200)) {
      try {
        const answer: unknown = JSON.parse(
          Buffer.from(await this.deps.ledger.submit('rights', 'RecordSubjectControl', JSON.stringify(p.record))).toString('utf8'),
        );
        const txId = typeof answer === 'object' && answer !== null && 'txId' in answer && typeof answer.txId === 'string' ? answer.txId : '';
        await this.deps.store.markControlRecorded(p.id, txId);
        recorded++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await this.deps.store.markControlFailed(p.id, message.slice(0, 500));
        this.deps.log?.('a subject control is not on the ledger yet; it will be retried', { id: p.id, attempts: p.attempts + 1, err: message });
      }
    }
    return recorded;
  }
}

export type { SubjectControlRecord };
