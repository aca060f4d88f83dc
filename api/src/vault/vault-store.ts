export interface SubjectRow {
  id: string;
  wrapped_key: Buffer | null;
  kek_version: number;
}

export interface RecordVersionRow {
  record_id: string;
  subject_id: string;
  category: string;
  custodian_org_id: string;
  custodian_name: string;
  version: number;
  fields: Record<string, string>;
  sealed_salt: Buffer;
  commitment: string;
  created_at: Date;
}

export interface NewRecord {
  id: string;
  subjectId: string;
  category: string;
  custodianOrgId: string;
  fields: Record<string, string>;
  sealedSalt: Buffer;
  commitment: string;
  requestRef?: string;
}

/** A version as the audit sees it: current, superseded (by which version, when), or written and not yet confirmed. */
export interface StoredVersion {
  version: number;
  fields: Record<string, string>;
  sealed_salt: Buffer;
  commitment: string;
  created_at: Date;
  confirmed: boolean;
  superseded_at: Date | null;
  superseded_by: number | null;
  correction_ref: string | null;
}

/** A record with every version, oldest first, and its subject's sealed data key. */
export interface RecordHistory {
  record: { id: string; subject_id: string; category: string; custodian_org_id: string; confirmed: boolean };
  subject: SubjectRow;
  versions: StoredVersion[];
}

/** A correction's version, written unconfirmed before its commitment goes to the ledger. */
export interface NewVersion {
  recordId: string;
  version: number;
  fields: Record<string, string>;
  sealedSalt: Buffer;
  commitment: string;
  correctionRef: string;
}

export type RecordForRepair = RecordVersionRow & { confirmed: boolean; wrapped_key: Buffer | null; kek_version: number };

/** The vault's storage: subjects found by blind index, records and their sealed versions. It only ever sees ciphertext. */
export interface VaultStore {
  subjectByIndex(index: Buffer): Promise<SubjectRow | undefined>;
  /** Creates the subject unless another request just did; either way returns the stored one. */
  /** `kekVersion` is the KEK version that wrapped the key (1 unless told). */
  insertSubject(id: string, index: Buffer, wrappedKey: Buffer, kekVersion?: number): Promise<SubjectRow>;
  /** Stores a record, not yet shown to anyone: it is confirmed once its commitment has committed on the ledger. */
  insertRecord(r: NewRecord): Promise<void>;
  /** The record a deposit with this Idempotency-Key ref made, if any (its latest version). */
  recordByRequestRef(
    custodianOrgId: string,
    ref: string,
  ): Promise<{ id: string; subject_id: string; category: string; confirmed: boolean; version: number; commitment: string } | undefined>;
  confirmRecord(id: string): Promise<void>;
  /** Drops a record whose commitment the ledger refused or never committed; a confirmed one is left alone. */
  dropUnconfirmedRecord(id: string): Promise<void>;
  /** A record with its subject's sealed key, confirmed or not: what finishing a deposit needs. */
  recordForRepair(id: string): Promise<RecordForRepair | undefined>;
  /** A subject's sealed data key and the latest confirmed version of each of its records. */
  subjectWithLatestVersions(subjectId: string): Promise<{ subject: SubjectRow | undefined; versions: RecordVersionRow[] }>;
  /** The latest confirmed version of each of a subject's records. */
  latestVersions(subjectId: string): Promise<RecordVersionRow[]>;
  /** A record with all its versions (superseded and unconfirmed ones too), oldest first. */
  recordHistory(recordId: string): Promise<RecordHistory | undefined>;
  /** Writes a correction's version, not yet served; false when that version number is taken. */
  insertVersion(v: NewVersion): Promise<boolean>;
  /** Serves a written version: confirms it and marks the version it replaces superseded, in one transaction. */
  confirmVersion(recordId: string, version: number): Promise<void>;
  /** Drops a written version whose commitment never reached the ledger; a confirmed one is left alone. */
  dropUnconfirmedVersion(recordId: string, version: number): Promise<void>;
}
