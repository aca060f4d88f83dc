import type { BreachRecordValue } from '@citizen-vault/chaincode/rules';
import type { Breach, BreachAction, BreachClock } from './breach.js';

/** Who a version of a breach affects, as computed from the access log inside the version's transaction. */
export interface AffectedSummary {
  subjects: number;
  reads: number;
  /** SHA-256 of the sorted subject ids, one per line (of nothing when none). */
  affectedHash: string;
  /** Per consumer organisation: how many citizens have reads through it inside the breach. */
  byOrganization: Map<string, number>;
}

/** A webhook event for an organisation, queued with the version that caused it. */
export interface OrgNotice {
  organizationId: string;
  eventType: string;
  data: Record<string, unknown>;
}

/** What a version writes once the affected citizens are known. */
export interface ComposedVersion {
  breach: Breach;
  action: BreachAction;
  at: Date;
  recordHash: string;
  ledgerRecord: BreachRecordValue;
  notices: OrgNotice[];
}

export interface PendingVersion {
  breachId: string;
  version: number;
  record: BreachRecordValue;
  attempts: number;
}

export interface PendingNotice extends OrgNotice {
  breachId: string;
  version: number;
  attempts: number;
}

export interface BreachVersionRow {
  version: number;
  action: BreachAction;
  at: Date;
  recordHash: string;
  affectedHash: string;
  ledgerTransactionId: string | null;
  ledgerError: string | null;
}

/** A citizen's notice: one breach, and what of theirs it involved. */
export interface CitizenNotice {
  breach: Breach;
  fields: string[];
  consumerOrgIds: string[];
  reads: number;
  firstReadAt: Date;
  lastReadAt: Date;
  notifiedAt: Date;
}

/** Where breaches, their affected citizens and their two outboxes (ledger, webhooks) are kept. */
export interface BreachStore {
  /**
   * Writes a version in one transaction: the breach over `expectedVersion` (null for a new one),
   * the citizens affected recomputed from the access log, then `compose` finishes the version with
   * the counts, and its ledger record and organisations' notices are queued. Answers the breach as
   * written, or undefined when another writer got there first.
   */
  write(breach: Breach, expectedVersion: number | null, compose: (affected: AffectedSummary) => ComposedVersion): Promise<Breach | undefined>;
  get(id: string): Promise<Breach | undefined>;
  /** Every breach, open ones first by deadline, then closed ones newest first. */
  list(): Promise<Breach[]>;
  versions(id: string): Promise<BreachVersionRow[]>;
  /** Per organisation of the breach: how many citizens have reads through it inside the breach. */
  affectedByOrganization(id: string): Promise<Map<string, number>>;
  /** Organisation names by id; ids that are not organisations are missing from the answer. */
  organizationNames(ids: readonly string[]): Promise<Map<string, string>>;
  noticesOf(subjectId: string): Promise<CitizenNotice[]>;
  pendingVersions(limit: number, breachId?: string): Promise<PendingVersion[]>;
  markRecorded(breachId: string, version: number, txId: string): Promise<void>;
  markAttemptFailed(breachId: string, version: number, error: string): Promise<void>;
  pendingNotices(limit: number, breachId?: string): Promise<PendingNotice[]>;
  markQueued(n: Pick<PendingNotice, 'breachId' | 'version' | 'organizationId'>): Promise<void>;
  markNoticeFailed(n: Pick<PendingNotice, 'breachId' | 'version' | 'organizationId'>, error: string): Promise<void>;
}

/** The ledger, as narrow as the breach register needs it (FabricLedger fits). */
export interface BreachLedger {
  submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
}

/** The webhooks capability's outbox (WebhookService fits). */
export interface OrganizationNotifier {
  notify(organizationId: string, eventType: string, data: Record<string, unknown>): Promise<void>;
}

/** The vault's pseudonymous subject ids (VaultService fits). */
export interface SubjectIds {
  subjectId(nationalId: string, create: boolean): Promise<string | undefined>;
}

export interface BreachWithClock {
  breach: Breach;
  clock: BreachClock;
}

/** A breach with its organisations (and how many citizens each one's reads affect) and its versions. */
export interface BreachDetail extends BreachWithClock {
  consumers: { id: string; name: string; affectedSubjects: number }[];
  versions: BreachVersionRow[];
}
