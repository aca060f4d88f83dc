import type { AccessRecorder } from '../audit/index.js';
import type { KekRing } from './vault-keys.js';
import type { RecordVersionRow, SubjectRow } from './vault-store.js';

/** What the vault asks of the ledger: anchor a record's commitment, and read one back. */
export interface VaultLedger {
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
  submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string }>;
}

/** The vault's secrets: the key-encryption keys (by version) that seal every data key, and the blind index's key. */
export interface KeyProvider {
  readonly keks: KekRing;
  readonly indexKey: Uint8Array;
}

/** Told of each deposit, with the clear fields, after it is stored (the exchange's statistics projection). */
export interface DepositObserver {
  recordDeposited(subjectId: string, category: string, fields: Readonly<Record<string, unknown>>): Promise<void>;
}

/** Where a deposit's log leaf goes: the access log's append side. */
export type DepositLog = Pick<AccessRecorder, 'append'>;

export interface FieldProvenance {
  recordId: string;
  version: number;
  category: string;
  commitment: string;
}

/** What other capabilities read from the vault: a citizen's pseudonymous subject id, and the clear values of granted fields. */
export interface VaultReader {
  /** The citizen's random subject id, created on first need when `create` is true. */
  subjectId(nationalId: string, create: boolean): Promise<string | undefined>;
  /** The latest values of the given fields (`category.field`) of a subject's records, with where each came from. */
  fieldsOf(subjectId: string, fieldPaths: readonly string[]): Promise<{ fields: Record<string, unknown>; provenance: FieldProvenance[] }>;
  /** The same, opened from a sealed key and record versions already loaded (no I/O). */
  openFields(
    subject: SubjectRow | undefined,
    versions: readonly Pick<RecordVersionRow, 'record_id' | 'category' | 'custodian_org_id' | 'version' | 'fields' | 'commitment' | 'created_at'>[],
    fieldPaths: readonly string[],
  ): { fields: Record<string, unknown>; provenance: FieldProvenance[] };
}

/** An organisation as the vault sees it: who deposits, and whether it is a custodian. */
export interface Custodian {
  id: string;
  roles: readonly string[];
}

/**
 * The vault's narrow erase port (crypto-shredding, issue 15): what the rights capability's erasure
 * calls, and nothing else may. Idempotent: a second call finds the subject already shredded.
 */
export interface SubjectShredder {
  /**
   * Destroys the subject's data key — every wrapped copy of it — and the salts and ciphertexts it
   * sealed, and overwrites the blind index with random bytes so the national id resolves to nothing.
   * Answers how many wrapped copies were destroyed now (0 when it was already done).
   */
  shred(subjectId: string): Promise<{ wrappedCopies: number }>;
  /** Whether the subject is already shredded (and whether it exists at all). */
  state(subjectId: string): Promise<'live' | 'shredded' | 'unknown'>;
}
