import type { AccessRecorder } from '../audit/index.js';
import type { RecordVersionRow, SubjectRow } from './vault-store.js';

/** What the vault asks of the ledger: anchor a record's commitment, and read one back. */
export interface VaultLedger {
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
  submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string }>;
}

/** The vault's secrets: the key-encryption key that seals every data key, and the blind index's key. */
export interface KeyProvider {
  readonly kek: Uint8Array;
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
    versions: readonly Pick<RecordVersionRow, 'record_id' | 'category' | 'custodian_org_id' | 'version' | 'fields' | 'commitment'>[],
    fieldPaths: readonly string[],
  ): { fields: Record<string, unknown>; provenance: FieldProvenance[] };
}

/** An organisation as the vault sees it: who deposits, and whether it is a custodian. */
export interface Custodian {
  id: string;
  roles: readonly string[];
}
