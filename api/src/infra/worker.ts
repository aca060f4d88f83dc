/**
 * Background work with one lifecycle: the composition root starts every worker after the HTTP
 * server is ready to be built, and stops them in reverse order on close. `stop` resolves once the
 * worker's current round has finished, so nothing is left half-done.
 */
export interface Worker {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}
