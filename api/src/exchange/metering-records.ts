export interface MeteringEventRow {
  id: string;
  licence_id: string;
  request_key: string;
  request_hash: string | null;
  period: string;
  units: number;
  amount_dong: string;
  epsilon_micro: string;
  result: unknown;
  leaf_index: string | null;
  subject_id: string | null;
  at: Date;
}

export interface MeterRequest {
  id: string;
  licenceId: string;
  requestKey: string;
  /** What was asked (product, consent or query), so a key reused for another request is told apart from a retry. */
  requestHash: string;
  period: string;
  units: number;
  amountDong: bigint;
  epsilonMicro: bigint;
  /** The counters to take `units` from, each only while under its limit. */
  windows: { key: string; limit: number }[];
  /** What to keep for a replay (statistics only, never personal data). */
  result: unknown;
  /** CONSENTED reads: whose record was read, for the citizens' share. */
  subjectId?: string;
  /**
   * The licence's use version (`ProductStore.usableLicence`) the caller checked the use against:
   * if the licence or its product changed since, nothing is billed and the outcome is `stale`.
   */
  expectedVersion?: string;
  /**
   * The caller answers only once the use's access-log leaf, appended after this, is durable: the
   * use may then commit without waiting for its own WAL flush (the leaf's flush covers it).
   */
  durableWithLeaf?: boolean;
  at: Date;
}

/** The row a billed use is stored as: the request itself, with no leaf yet. */
export function billedEventRow(r: MeterRequest): MeteringEventRow {
  return {
    id: r.id,
    licence_id: r.licenceId,
    request_key: r.requestKey,
    request_hash: r.requestHash,
    period: r.period,
    units: r.units,
    amount_dong: r.amountDong.toString(),
    epsilon_micro: r.epsilonMicro.toString(),
    result: r.result === undefined ? null : r.result,
    leaf_index: null,
    subject_id: r.subjectId ?? null,
    at: r.at,
  };
}

export type MeterOutcome =
  | { outcome: 'metered'; event: MeteringEventRow }
  | { outcome: 'replayed'; event: MeteringEventRow }
  | { outcome: 'key_reused' }
  | { outcome: 'quota_exceeded'; window: string; limit: number }
  | { outcome: 'privacy_budget_exhausted' }
  | { outcome: 'stale' };

/** Whether a recorded use answered the same request (rows from before request hashes were kept count as the same). */
export function sameRequest(row: MeteringEventRow, requestHash: string): boolean {
  return row.request_hash === null || row.request_hash === requestHash;
}
