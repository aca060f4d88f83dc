import type { UsableLicence } from './ports.js';

/**
 * The licences metered uses were checked against lately, with their products, kept between
 * requests so a use reads neither again. A kept copy is never trusted alone: the statement that
 * bills the use checks its version is still current, in the same snapshot (so a cancelled licence,
 * a suspended product or provider is seen by every API instance at its next use), and a copy that
 * refuses a use is read again before the refusal stands. Bounded (a few kB each): the oldest entry goes first.
 */
export class UsableLicences {
  private readonly kept = new Map<string, UsableLicence>();

  constructor(private readonly max = 2_000) {}

  get(licenceId: string): UsableLicence | undefined {
    return this.kept.get(licenceId);
  }

  keep(entry: UsableLicence): void {
    this.kept.delete(entry.licence.id);
    if (this.kept.size >= this.max) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(entry.licence.id, entry);
  }

  drop(licenceId: string): void {
    this.kept.delete(licenceId);
  }

  get size(): number {
    return this.kept.size;
  }
}
