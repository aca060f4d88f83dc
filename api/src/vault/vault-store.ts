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
}
