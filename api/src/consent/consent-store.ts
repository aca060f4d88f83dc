import type { AccessModeValue, ConsentStatus } from '@citizen-vault/chaincode/rules';

export interface ConsentRow {
  id: string;
  subject_id: string;
  consumer_org_id: string;
  consumer_name: string;
  purpose: string;
  requested_fields: string[];
  granted_fields: string[];
  access_mode: AccessModeValue;
  valid_from: Date;
  valid_until: Date;
  retention_days: number;
  onward_transfer: boolean;
  cross_border: boolean;
  justification: string;
  status: ConsentStatus;
  artefact: Record<string, unknown>;
  artefact_hash: string;
  requested_at: Date;
  decided_at: Date | null;
  updated_at: Date;
  /** A revoke or pause asked for and not yet committed: reads are refused meanwhile. */
  blocked_by: 'revoke' | 'pause' | null;
}

export type ConsentInsert = Omit<ConsentRow, 'consumer_name' | 'granted_fields' | 'decided_at' | 'blocked_by'> & {
  artefact_salt: Buffer;
  request_ref?: string | null;
};

/** An intent as JSON (dates as ISO strings), and back. */
export function intentJson(row: ConsentInsert): Record<string, unknown> {
  const { artefact_salt: _salt, ...rest } = row;
  return rest as unknown as Record<string, unknown>;
}

export function intentRow(json: Record<string, unknown>, salt: Buffer, status: ConsentStatus): ConsentInsert {
  // Our own row, written by insertIntent: trusted, only its dates came back as strings.
  const j = json as unknown as Omit<ConsentInsert, 'valid_from' | 'valid_until' | 'requested_at' | 'updated_at'> &
    Record<'valid_from' | 'valid_until' | 'requested_at' | 'updated_at', string>;
  return {
    ...j,
    status,
    valid_from: new Date(j.valid_from),
    valid_until: new Date(j.valid_until),
    requested_at: new Date(j.requested_at),
    updated_at: new Date(j.updated_at),
    artefact_salt: salt,
  };
}

/** The consent a request with this Idempotency-Key already made, or the intent it kept before the ledger. */
export interface EarlierRequest {
  consent?: ConsentRow;
  intent?: { consent: Record<string, unknown>; artefact_salt: Buffer };
}

/**
 * The consent read model: rows written once the ledger has committed them, intents kept before a
 * request goes to the ledger, revoke/pause blocks, and the uses counted per usage period.
 */
export interface ConsentStore {
  /** Stops reads of a consent now, before a revoke or pause goes to the ledger. */
  block(id: string, action: 'revoke' | 'pause'): Promise<void>;
  /** Lifts a block the ledger refused (the consent stays as it was). */
  unblock(id: string): Promise<void>;
  /** What a request keeps before it goes to the ledger: the row to insert once it has committed. */
  insertIntent(row: ConsentInsert): Promise<void>;
  byRequestRef(ref: string): Promise<EarlierRequest>;
  dropIntent(id: string): Promise<void>;
  /** Inserts the read-model row of a committed request and drops its intent, together; a row already there is left alone. */
  insert(c: ConsentInsert): Promise<void>;
  get(id: string): Promise<ConsentRow | undefined>;
  /** A consumer's consents, newest first, a page at a time after the `(requested_at, id)` cursor. */
  forConsumer(consumerOrgId: string, page: { status?: ConsentStatus; limit: number; after?: { requestedAt: Date; id: string } }): Promise<ConsentRow[]>;
  /** A citizen's consents, newest first. */
  forSubject(subjectId: string, status?: ConsentStatus): Promise<ConsentRow[]>;
  /** Writes the state a committed ledger transaction produced, unless a later one is already there; a pending block is lifted with it. */
  applyDecision(id: string, d: { status: ConsentStatus; grantedFields: string[]; decidedAt: string | undefined; updatedAt: string }): Promise<void>;
  /**
   * The consent with the granted reads already made in its current usage period (the period
   * depends on the consent's mode, so the day and month periods are both given; ONCE counts in `once`).
   */
  getWithUses(id: string, periods: { day: string; month: string }): Promise<(ConsentRow & { uses: number; subject_restricted?: boolean }) | undefined>;
}
