import type { RightsLedgerRecord } from './ledger-record.js';
import type { RequestKind, RightsRequest, Transition } from './request-lifecycle.js';

/** Who took a step: the citizen files, the operator does the rest; a custodian settles a rectification by resolving its last task. */
export type Actor = 'citizen' | 'operator' | 'custodian';

/** A transition not yet on the ledger. */
export interface PendingRecord {
  requestId: string;
  seq: number;
  record: RightsLedgerRecord;
  attempts: number;
}

/** Where requests and their transitions are kept; each write is one transaction with its history row. */
export interface RightsRequestStore {
  /** A new request and its first transition. */
  insert(request: RightsRequest, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<void>;
  /** The request after a transition, written only over `expectedVersion`; false when another writer got there first. */
  apply(request: RightsRequest, expectedVersion: number, transition: Transition, actor: Actor, record: RightsLedgerRecord): Promise<boolean>;
  get(id: string): Promise<RightsRequest | undefined>;
  bySubject(subjectId: string): Promise<RightsRequest[]>;
  /** An open request of this kind from this subject, if any. */
  openOfKind(subjectId: string, kind: RequestKind): Promise<RightsRequest | undefined>;
  /** Every open request, the most urgent first. */
  open(): Promise<RightsRequest[]>;
  /** Requests completed after their deadline, or acknowledged (or refused) after the reply deadline. */
  late(): Promise<RightsRequest[]>;
  /** The transitions of a request, in order, with whether the ledger has each. */
  history(id: string): Promise<(Transition & { actor: Actor; recordedTxId: string | null })[]>;
  /** Transitions not yet on the ledger, oldest first (of one request, or of all). */
  pendingRecords(limit: number, requestId?: string): Promise<PendingRecord[]>;
  markRecorded(requestId: string, seq: number, txId: string): Promise<void>;
  markAttemptFailed(requestId: string, seq: number, error: string): Promise<void>;
}

/** The ledger, as narrow as the rights capability needs it (FabricLedger fits). */
export interface RightsLedger {
  submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

/** The vault's pseudonymous subject ids (VaultService fits): the only identifier of a citizen this capability keeps. */
export interface SubjectIds {
  subjectId(nationalId: string, create: boolean): Promise<string | undefined>;
}
