import { DomainError } from '../errors/index.js';
import type { KekRotation, KekRotationStore } from './key-rotation-store.js';
import type { KekRing } from './vault-keys.js';

export type { KekRotation, KekRotationStore } from './key-rotation-store.js';

export interface KekVersionState {
  version: number;
  /** Subjects whose data key is wrapped under this version. */
  keys: number;
  /** This process holds the key. */
  configured: boolean;
  current: boolean;
  retired: boolean;
}

export interface KekStatus {
  currentVersion: number;
  versions: KekVersionState[];
  rotation: KekRotation | undefined;
}

export interface RunOptions {
  batchSize?: number;
  /** Stops between batches; what committed stays, and the job resumes from there. */
  signal?: AbortSignal;
  onProgress?: (rotation: KekRotation) => void;
}

/** Passes after the first one, for keys wrapped under the old version while the job ran (by an instance not yet given the new one). */
const MAX_PASSES = 5;

/**
 * Rotating the key-encryption key without downtime. The ring holds the old and the new versions at
 * once, so reads go on while the job rewraps every data key from the old version to the current one,
 * batch by batch; each batch commits with the job's progress, so a job killed at any point resumes
 * where it stopped, and loses nothing. A version may be retired once no key is wrapped under it.
 */
export class KeyRotationService {
  constructor(
    private readonly store: KekRotationStore,
    private readonly ring: KekRing,
    private readonly newId: () => string,
  ) {}

  async status(): Promise<KekStatus> {
    const [keys, retired, rotation] = await Promise.all([this.store.keysByVersion(), this.store.retiredVersions(), this.store.latest()]);
    const versions = [...new Set([...keys.keys(), ...this.ring.versions, ...retired])].sort((a, b) => a - b);
    return {
      currentVersion: this.ring.current,
      versions: versions.map((version) => ({
        version,
        keys: keys.get(version) ?? 0,
        configured: this.ring.has(version),
        current: version === this.ring.current,
        retired: retired.includes(version),
      })),
      rotation,
    };
  }

  /** The unfinished rotation, if any. */
  running(): Promise<KekRotation | undefined> {
    return this.store.running();
  }

  get currentVersion(): number {
    return this.ring.current;
  }

  /**
   * Starts rotating the keys under `fromVersion` (by default the oldest version still in use) to the
   * current version, or answers the unfinished rotation to the current version, which then resumes.
   */
  async start(startedBy: string, fromVersion?: number): Promise<KekRotation> {
    const to = this.ring.current;
    const running = await this.store.running();
    if (running) {
      if (running.toVersion !== to || (fromVersion !== undefined && fromVersion !== running.fromVersion))
        throw new DomainError('conflict', `a rotation from KEK version ${running.fromVersion} to ${running.toVersion} is unfinished; finish it first`, {
          rotationId: running.id,
        });
      return running;
    }
    const keys = await this.store.keysByVersion();
    const from = fromVersion ?? [...keys.keys()].filter((v) => v !== to && (keys.get(v) ?? 0) > 0).sort((a, b) => a - b)[0];
    if (from === undefined)
      throw new DomainError('conflict', `no data key is wrapped under a KEK version other than the current one (${to}): nothing to rotate`);
    if (from === to) throw new DomainError('invalid_request', `KEK version ${to} is the current version: nothing to rotate from it`);
    if (!keys.get(from)) throw new DomainError('conflict', `no data key is wrapped under KEK version ${from}: nothing to rotate`);
    if (!this.ring.has(from)) throw new DomainError('conflict', `KEK version ${from} is not configured here, so its keys cannot be unwrapped`);
    const started = await this.store.start(this.newId(), from, to, startedBy);
    if (started) return started;
    return this.start(startedBy, fromVersion); // another starter won the race: answer (or refuse) its job
  }

  /** Runs a rotation to its end (or until `signal` aborts), and answers it as it stands. */
  async run(id: string, options: RunOptions = {}): Promise<KekRotation> {
    const size = options.batchSize ?? 1_000;
    const job = await this.get(id);
    for (const v of [job.fromVersion, job.toVersion])
      if (!this.ring.has(v)) throw new DomainError('conflict', `KEK version ${v} is not configured here: this rotation cannot run`);
    for (;;) {
      if (options.signal?.aborted) return this.get(id);
      const batch = await this.store.rewrapBatch(id, size, (subjectId, wrapped, from, to) => this.ring.rewrap(subjectId, wrapped, from, to));
      if (!batch) return this.get(id); // finished meanwhile (by another runner)
      options.onProgress?.(batch.rotation);
      if (batch.selected > 0) continue;
      // The pass reached the last subject. Keys wrapped under the old version behind the cursor while
      // it ran (by an instance not yet given the new version) need another pass.
      const remaining = (await this.store.keysByVersion()).get(batch.rotation.fromVersion) ?? 0;
      if (remaining === 0) {
        const done = await this.store.finish(id);
        if (done) options.onProgress?.(done);
        return done ?? this.get(id);
      }
      if (batch.rotation.pass >= MAX_PASSES)
        throw new Error(
          `${remaining} data keys are still being wrapped under KEK version ${batch.rotation.fromVersion} after ${MAX_PASSES} passes: give every instance version ${batch.rotation.toVersion} as its current version, then run the rotation again`,
        );
      await this.store.nextPass(id, remaining);
    }
  }

  async get(id: string): Promise<KekRotation> {
    const rotation = await this.store.get(id);
    if (!rotation) throw new DomainError('not_found', `no KEK rotation ${id}`);
    return rotation;
  }

  /** Retires a KEK version: refused for the current version and for any version a key is still wrapped under. */
  async retire(version: number): Promise<void> {
    if (version === this.ring.current) throw new DomainError('kek_version_in_use', `KEK version ${version} is the current version: it wraps new data keys`);
    const outcome = await this.store.retire(version);
    if (!outcome.retired)
      throw new DomainError('kek_version_in_use', `${outcome.keys} data keys are still wrapped under KEK version ${version}; rotate them first`, {
        keys: outcome.keys,
      });
  }
}

/** How far a rotation is, and how fast it went: percent done, and keys rewrapped per second since it started. */
export function rotationProgress(r: KekRotation): { state: 'RUNNING' | 'FINISHED'; percent: number; keysPerSecond: number } {
  const end = r.finishedAt ?? r.updatedAt;
  const seconds = Math.max((end.getTime() - r.startedAt.getTime()) / 1000, 0.001);
  return {
    state: r.finishedAt ? 'FINISHED' : 'RUNNING',
    percent: r.finishedAt ? 100 : r.total === 0 ? 0 : Math.min(100, Math.floor(((r.rewrapped + r.skipped) / r.total) * 1000) / 10),
    keysPerSecond: Math.round(r.rewrapped / seconds),
  };
}
