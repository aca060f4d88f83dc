/** A KEK rotation job as it is persisted: what it moves, how far it got, and when. */
export interface KekRotation {
  id: string;
  fromVersion: number;
  toVersion: number;
  /** Keys under `fromVersion` when the job started (grown if a later pass found more). */
  total: number;
  rewrapped: number;
  /** Keys changed under the job between its read and its write (erased meanwhile): left as they are. */
  skipped: number;
  pass: number;
  startedBy: string;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | undefined;
}

/** Opens a key wrapped under one version and seals it under another; throws if it does not open. */
export type Rewrap = (subjectId: string, wrapped: Buffer, fromVersion: number, toVersion: number) => Buffer;

/** Where rotations and the subjects' wrapped keys live (Postgres: `pg-key-rotation.ts`). */
export interface KekRotationStore {
  /** The unfinished rotation, if any (at most one exists). */
  running(): Promise<KekRotation | undefined>;
  get(id: string): Promise<KekRotation | undefined>;
  /** The most recently started rotation. */
  latest(): Promise<KekRotation | undefined>;
  /** Records a new rotation with its total; undefined if another one is unfinished. */
  start(id: string, fromVersion: number, toVersion: number, startedBy: string): Promise<KekRotation | undefined>;
  /**
   * One batch, in one transaction: the next `size` subjects after the job's cursor whose keys are
   * under its `fromVersion`, each rewritten only if its wrapped key is still the one read
   * (compare-and-set: an erasure in between is never undone), with the cursor and the counts. Undefined
   * if the rotation is finished or unknown; `selected` 0 when the pass has reached the end.
   */
  rewrapBatch(id: string, size: number, rewrap: Rewrap): Promise<{ rotation: KekRotation; selected: number } | undefined>;
  /** How many subjects' keys are wrapped under each version (erased subjects hold none). */
  keysByVersion(): Promise<Map<number, number>>;
  /** Starts another pass from the first subject, for keys the last one missed; the total grows by them. */
  nextPass(id: string, remaining: number): Promise<void>;
  finish(id: string): Promise<KekRotation | undefined>;
  retiredVersions(): Promise<number[]>;
  /** Retires a version unless a subject's key is still wrapped under it (answered as the count). */
  retire(version: number): Promise<{ retired: true } | { retired: false; keys: number }>;
}
