import type { CryptoKey } from 'jose';
import { DomainError } from '../errors/index.js';
import type { Clock } from '../infra/clock.js';
import { certificateHash, KEPT, signCertificate, type ErasureCertificate } from './erasure-certificate.js';
import type { ErasureRow, PgSubjectControls } from './pg-subject-controls.js';
import type { RightsRequest } from './request-lifecycle.js';
import type { StatisticsExclusion, SubjectControls } from './subject-controls.js';

/** The vault's erase port (the vault's SubjectShredder fits). */
export interface Shredder {
  shred(subjectId: string): Promise<{ wrappedCopies: number }>;
}

/** The consent capability's revoke-all (ConsentService fits). */
export interface ConsentRevoker {
  revokeAllOf(subjectId: string): Promise<string[]>;
}

export interface ErasureDeps {
  store: PgSubjectControls;
  shredder: Shredder;
  consents: ConsentRevoker;
  statistics: StatisticsExclusion;
  controls: SubjectControls;
  /** The API's signing key (the one of /.well-known/jwks.json). */
  signing: { kid: string; privateKey: CryptoKey };
  /** The KEK, to open stored Idempotency-Key answers and find those naming the subject. */
  kek: Uint8Array;
  clock: Clock;
  newId: () => string;
  /**
   * At most one storage compaction per this many milliseconds (0: one per erasure). An erasure
   * shredded before a compaction started is covered by it; one shredded since waits for the next,
   * and its request completes then, through the rights worker's sweep.
   */
  compactionEveryMs?: number;
}

/** The steps of an erasure, in order; each is recorded once done, and each is safe to run again. */
export const ERASURE_STEPS = ['consents_revoked', 'copies_deleted', 'keys_destroyed', 'storage_compacted', 'certified'] as const;
type Step = (typeof ERASURE_STEPS)[number];

/**
 * Erasure by crypto-shredding, carried out when the operator completes an ERASE request:
 *
 *   consents revoked on the ledger → copies deleted (sessions, Idempotency-Key answers, pending
 *   webhooks) → data key destroyed, blind index overwritten, statistics left → storage compacted →
 *   certificate signed, its hash put on the ledger.
 *
 * The erasure is persisted before its first step (refused then if a legal hold stands), and every
 * step is marked when done; a crash part-way leaves an unfinished erasure that the rights worker's
 * sweep carries on from where it stopped, and the request is completed only after the last step.
 */
export class Erasure {
  /** Erasures running in this process: the sweep and the operator's `complete` wait for one run, not two. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: ErasureDeps) {}

  async carryOut(request: RightsRequest): Promise<void> {
    if (request.fields.length > 0)
      throw new DomainError(
        'invalid_request',
        'crypto-shredding erases every record of the citizen at once; an ERASE request naming fields cannot be carried out this way (refuse it, or have the citizen file one without fields)',
      );
    const { store } = this.deps;
    await store.underSubjectLock(request.subjectId, async (tx) => {
      if (await store.erasureStartedFor(tx, request.subjectId)) {
        await store.startErasure(tx, request.id, request.subjectId, this.deps.clock.now());
        return;
      }
      const hold = await store.activeHold(tx, request.subjectId);
      if (hold)
        throw new DomainError('legal_hold_active', `legal hold ${hold.id}, placed ${hold.placedAt.toISOString()}, blocks erasure until it is lifted`, {
          holdId: hold.id,
        });
      await store.startErasure(tx, request.id, request.subjectId, this.deps.clock.now());
    });
    await this.run(request);
  }

  /** The request has been completed: the erasure is finished. */
  async finish(requestId: string): Promise<void> {
    await this.deps.store.finishErasure(requestId, this.deps.clock.now());
  }

  async erasureOf(requestId: string): Promise<ErasureRow | undefined> {
    return this.deps.store.erasure(requestId);
  }

  private run(request: RightsRequest): Promise<void> {
    const existing = this.running.get(request.id);
    if (existing) return existing;
    const run = this.steps(request).finally(() => this.running.delete(request.id));
    this.running.set(request.id, run);
    return run;
  }

  private async steps(request: RightsRequest): Promise<void> {
    const { store } = this.deps;
    const done = new Set((await store.erasure(request.id))?.steps ?? []);
    const step = async (name: Step, work: () => Promise<void>) => {
      if (done.has(name)) return;
      await work();
      done.add(name);
    };
    await step('consents_revoked', async () => {
      const revoked = await this.deps.consents.revokeAllOf(request.subjectId);
      const before = (await store.erasure(request.id))?.revokedConsents ?? [];
      await store.markStep(request.id, 'consents_revoked', { revokedConsents: [...new Set([...before, ...revoked])] });
    });
    await step('copies_deleted', async () => {
      const claim = await store.claim(request.id);
      const citizen = claim?.tokenSubject ? await store.deleteCitizenCopies(claim.tokenSubject) : { sessions: 0, citizenIdempotency: 0 };
      const organizationIdempotency = await store.deleteOrganizationCopies(request.subjectId, this.deps.kek);
      const pendingWebhookDeliveries = await store.deletePendingDeliveries(request.subjectId);
      await store.markStep(request.id, 'copies_deleted', { deletedCopies: { ...citizen, organizationIdempotency, pendingWebhookDeliveries } });
    });
    await step('keys_destroyed', async () => {
      const { wrappedCopies } = await this.deps.shredder.shred(request.subjectId);
      // After the shred, so a deposit landing meanwhile cannot put the citizen back in the projection.
      await this.deps.statistics.forget(request.subjectId);
      await store.clearTokenSubject(request.id);
      const before = (await store.erasure(request.id))?.deletedCopies.wrappedKeys ?? 0;
      await store.markStep(request.id, 'keys_destroyed', { shreddedAt: this.deps.clock.now(), deletedCopies: { wrappedKeys: before + wrappedCopies } });
    });
    await step('storage_compacted', async () => {
      await store.markStep(request.id, 'storage_compacted', { storageCompacted: await this.compacted(request.id) });
    });
    await step('certified', async () => {
      const e = (await store.erasure(request.id))!;
      const certificate = this.certificateOf(request, e);
      const hash = certificateHash(certificate);
      await store.certify(
        request.id,
        { certificate: certificate as unknown as Record<string, unknown>, jws: await signCertificate(certificate, this.deps.signing), hash },
        {
          id: certificate.certificateId,
          type: 'ERASURE_CERTIFIED',
          subjectId: request.subjectId,
          requestId: request.id,
          at: certificate.issuedAt,
          certificateHash: hash,
        },
      );
      await store.markStep(request.id, 'certified');
      await this.deps.controls.flush();
    });
  }

  /**
   * Whether this erasure's storage is compacted: by a compaction that started after its shred, or
   * by one run now if none ran within the interval. Refused with `erasure_compaction_scheduled`
   * (the request stays open) until the next one is due.
   */
  private async compacted(requestId: string): Promise<boolean> {
    const { store, clock } = this.deps;
    const shreddedAt = (await store.erasure(requestId))?.shreddedAt ?? clock.now();
    const last = await store.lastCompaction();
    if (last && last.startedAt > shreddedAt) return last.ok;
    const now = clock.now();
    const due = new Date((last?.startedAt.getTime() ?? 0) + (this.deps.compactionEveryMs ?? 0));
    if (due > now) throw compactionScheduled(due);
    const ok = await store.compactStorage(now);
    if (ok === 'busy') throw compactionScheduled(now); // another instance is compacting: its run may cover this one
    return ok;
  }

  private certificateOf(request: RightsRequest, e: ErasureRow): ErasureCertificate {
    const { wrappedKeys = 0, ...copies } = e.deletedCopies;
    return {
      type: 'citizen-vault/erasure-certificate/v1',
      certificateId: this.deps.newId(),
      requestId: request.id,
      subjectId: request.subjectId,
      requestReceivedAt: request.receivedAt.toISOString(),
      erasedAt: (e.shreddedAt ?? this.deps.clock.now()).toISOString(),
      issuedAt: this.deps.clock.now().toISOString(),
      destroyed: { dataKey: true, wrappedKeyCopies: wrappedKeys, recordCiphertextsAndSalts: true, blindIndexEntry: 'overwritten with random bytes' },
      consentsRevoked: [...e.revokedConsents].sort(),
      removedFrom: { statisticsProjection: true, statisticsCube: true },
      copiesDeleted: copies,
      storageCompacted: e.storageCompacted ?? false,
      kept: KEPT,
    };
  }
}

function compactionScheduled(due: Date): DomainError {
  return new DomainError(
    'erasure_compaction_scheduled',
    `the citizen's data key is destroyed; the storage compaction that removes what is left on disk runs at ${due.toISOString()}, and the request is completed then`,
    { compactionDueAt: due.toISOString() },
  );
}
