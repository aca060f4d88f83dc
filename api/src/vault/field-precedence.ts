import type { RecordVersionRow } from './vault-store.js';

/**
 * Which custodian's value is served when several hold the same field (issue 15, rectification).
 *
 * The rule: **the most recent statement wins.** Each record's current version carries the time it
 * became current (its deposit, or the acceptance of its latest correction); for every field, the value
 * of the record whose current version is the newest is served. So a correction a custodian accepts is
 * what consumers read, even where another custodian still holds the old value, and a later deposit by
 * anyone states the field afresh. Ties (versions made in the same instant) go to the lower custodian
 * id, then the lower record id, so the choice never depends on the order rows come back in.
 *
 * Returns the versions in serving order, least preferred first: whoever reads them in order and lets
 * a later value overwrite an earlier one serves the preferred value.
 */
export function inServingOrder<T extends Pick<RecordVersionRow, 'created_at' | 'custodian_org_id' | 'record_id'>>(versions: readonly T[]): T[] {
  return [...versions].sort(
    (a, b) => a.created_at.getTime() - b.created_at.getTime() || compareDesc(a.custodian_org_id, b.custodian_org_id) || compareDesc(a.record_id, b.record_id),
  );
}

/** Descending, so that the lower id comes last and wins. */
function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
