import type { Worker } from '../infra/worker.js';
import type { KekRotation, KeyRotationService, RunOptions } from './key-rotation.js';

/**
 * Runs a KEK rotation in the background of the API process, one at a time: started by the
 * operator, or resumed on start when an earlier process left one unfinished. Stopping waits for the
 * batch in flight; the rotation resumes from its last committed batch next time.
 */
export class KeyRotationRunner implements Worker {
  readonly name = 'kek rotation';
  private job: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(
    readonly service: KeyRotationService,
    private readonly log: (message: string, fields: Record<string, unknown>) => void,
    private readonly options: Omit<RunOptions, 'signal'> = {},
  ) {}

  start(): void {
    this.abort = new AbortController();
    void this.service.running().then(
      (rotation) => {
        if (rotation && rotation.toVersion === this.service.currentVersion) this.runInBackground(rotation.id);
      },
      (err: unknown) => this.log('could not look for an unfinished KEK rotation', { err }),
    );
  }

  /** Starts (or answers and resumes) a rotation and runs it in the background. */
  async launch(startedBy: string, fromVersion?: number): Promise<KekRotation> {
    const rotation = await this.service.start(startedBy, fromVersion);
    if (!rotation.finishedAt) this.runInBackground(rotation.id);
    return rotation;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.job;
  }

  private runInBackground(id: string): void {
    if (this.job || this.abort.signal.aborted) return;
    this.job = this.service
      .run(id, { ...this.options, signal: this.abort.signal })
      .then(
        () => {},
        (err: unknown) => this.log('KEK rotation stopped with an error; it resumes from its last batch when started again', { err, rotationId: id }),
      )
      .finally(() => {
        this.job = undefined;
      });
  }
}
