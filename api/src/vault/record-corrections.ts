import { DomainError } from '../errors/index.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import { open, seal } from '../infra/aead.js';
import { commitment, fieldBinding, randomSalt } from './envelope.js';
import type { DepositLog, DepositObserver, KeyProvider, VaultLedger } from './ports.js';
import { parseRecordFields } from './record-fields.js';
import type { RecordHistory, StoredVersion, SubjectRow, VaultStore } from './vault-store.js';

/** A record that holds some of the fields a citizen asks to correct, at its current version. */
export interface FieldHolder {
  recordId: string;
  custodianOrgId: string;
  category: string;
  version: number;
  /** The asked-for fields this record holds, as names of its category ('province'). */
  fields: string[];
}

/** A version of a record as the audit sees it, with its fields in clear for whoever may read them. */
export interface VersionView {
  version: number;
  fields: Record<string, unknown>;
  commitment: string;
  createdAt: Date;
  current: boolean;
  supersededAt: Date | null;
  supersededBy: number | null;
}

export interface CorrectedRecord {
  recordId: string;
  subjectId: string;
  category: string;
  version: number;
  previousVersion: number;
  commitment: string;
}

/** Binds a citizen's proposed value to its subject, request and field: it opens nowhere else. */
const proposalBinding = (subjectId: string, requestId: string, fieldPath: string) => `cv:rectification:v1|${subjectId}|${requestId}|${fieldPath}`;

/**
 * Corrections of deposited records (the right to rectification). A correction is a new version of the
 * record, sealed like a deposit and anchored on the ledger; the version it replaces stays, marked
 * superseded. The order mirrors a deposit: written unconfirmed, then the commitment on the ledger,
 * then served — so a retry after a crash finishes or redoes it, never makes two.
 */
export class RecordCorrections {
  constructor(
    private readonly store: VaultStore,
    private readonly ledger: VaultLedger,
    private readonly keys: KeyProvider,
    private readonly log: DepositLog,
    private readonly onDeposit?: DepositObserver,
  ) {}

  /** The records of a subject that hold any of the fields (`category.field`), at their current version. */
  async holdersOf(subjectId: string, fieldPaths: readonly string[]): Promise<FieldHolder[]> {
    const wanted = new Set(fieldPaths);
    return (await this.store.latestVersions(subjectId)).flatMap((row) => {
      const fields = Object.keys(row.fields).filter((name) => wanted.has(`${row.category}.${name}`));
      return fields.length === 0
        ? []
        : [{ recordId: row.record_id, custodianOrgId: row.custodian_org_id, category: row.category, version: row.version, fields: fields.sort() }];
    });
  }

  /** Seals a value the citizen proposes with their data key. */
  async sealProposal(subjectId: string, requestId: string, fieldPath: string, value: unknown): Promise<Buffer> {
    const key = await this.dataKeyOf(subjectId);
    return seal(key, Buffer.from(JSON.stringify(value)), proposalBinding(subjectId, requestId, fieldPath));
  }

  /** Opens proposed values sealed by `sealProposal`. */
  async openProposals(subjectId: string, requestId: string, sealed: readonly { field: string; sealed: Buffer }[]): Promise<Record<string, unknown>> {
    const key = await this.dataKeyOf(subjectId);
    return Object.fromEntries(
      sealed.map(({ field, sealed: box }) => [
        field,
        JSON.parse(Buffer.from(open(key, box, proposalBinding(subjectId, requestId, field))).toString()) as unknown,
      ]),
    );
  }

  /**
   * The custodian's correction of its record: a new version with `changes` (field names of the
   * record's category) over the current one. `ref` names the task it answers: its retry returns the
   * version already made. Refused when the record is not the custodian's, or moved on from `baseVersion`.
   */
  async correct(custodianOrgId: string, recordId: string, baseVersion: number, changes: Record<string, unknown>, ref: string): Promise<CorrectedRecord> {
    let history = await this.history(custodianOrgId, recordId);
    const made = history.versions.find((v) => v.correction_ref === ref);
    if (made?.confirmed) return this.corrected(history, made);
    if (made) {
      // A previous attempt wrote it and died: finish it if the ledger has its commitment, else start again.
      const anchored = await this.ledger.evaluate('commitments', 'GetCommitment', recordId, String(made.version)).then(
        (bytes) => JSON.parse(Buffer.from(bytes).toString()) as { txId: string; anchoredAt: string },
        (err: unknown) => (err instanceof LedgerError && err.code === 'not_found' ? undefined : Promise.reject(err)),
      );
      if (anchored) {
        await this.finish(history, made, anchored.txId, anchored.anchoredAt);
        return this.corrected(history, made);
      }
      await this.store.dropUnconfirmedVersion(recordId, made.version);
      history = await this.history(custodianOrgId, recordId);
    }
    const current = history.versions.find((v) => v.confirmed && !v.superseded_at);
    if (!current || current.version !== baseVersion)
      throw new DomainError('conflict', `record ${recordId} is no longer at version ${baseVersion}; the correction was asked against that version`);
    const { record, subject } = history;
    const key = this.dataKey(subject);
    const before = this.openFields(history, current, key);
    const fields = parseRecordFields(record.category, { ...before, ...changes });
    const version = Math.max(...history.versions.map((v) => v.version)) + 1;
    const binding = (name: string) => fieldBinding(subject.id, recordId, name, version, record.category, record.custodian_org_id);
    const salt = randomSalt();
    const digest = commitment(salt, { recordId, version, subjectId: subject.id, category: record.category, fields });
    const written = {
      version,
      fields: Object.fromEntries(
        Object.entries(fields).map(([name, value]) => [name, seal(key, Buffer.from(JSON.stringify(value)), binding(name)).toString('base64')]),
      ),
      sealed_salt: seal(key, salt, binding('$salt')),
      commitment: digest,
      created_at: new Date(),
      confirmed: false,
      superseded_at: null,
      superseded_by: null,
      correction_ref: ref,
    };
    const inserted = await this.store.insertVersion({
      recordId,
      version,
      fields: written.fields,
      sealedSalt: written.sealed_salt,
      commitment: digest,
      correctionRef: ref,
    });
    if (!inserted) throw new DomainError('conflict', `record ${recordId} changed while it was being corrected; try again`);
    let receipt: { result: Uint8Array; transactionId: string };
    try {
      receipt = await this.ledger.submitWithReceipt(
        'commitments',
        'AnchorCommitment',
        JSON.stringify({ recordId, version, subjectId: subject.id, category: record.category, custodianOrgId: record.custodian_org_id, commitment: digest }),
      );
    } catch (err) {
      if (err instanceof LedgerError && err.code !== 'ledger_unavailable' && err.code !== 'ledger_error')
        await this.store.dropUnconfirmedVersion(recordId, version).catch(() => {});
      throw err;
    }
    const anchoredAt = (JSON.parse(Buffer.from(receipt.result).toString()) as { anchoredAt: string }).anchoredAt;
    await this.finish(history, written, receipt.transactionId, anchoredAt, fields);
    return this.corrected(history, written);
  }

  /** Every version of one of a custodian's records, oldest first, in clear (the custodian's audit view). */
  async versionsOf(custodianOrgId: string, recordId: string): Promise<VersionView[]> {
    const history = await this.history(custodianOrgId, recordId);
    const key = this.dataKey(history.subject);
    return history.versions
      .filter((v) => v.confirmed)
      .map((v) => ({
        version: v.version,
        fields: this.openFields(history, v, key),
        commitment: v.commitment,
        createdAt: v.created_at,
        current: !v.superseded_at,
        supersededAt: v.superseded_at,
        supersededBy: v.superseded_by,
      }));
  }

  /** Its log leaf (the access log's record of a version, like a deposit's), the statistics projection, then served. */
  private async finish(history: RecordHistory, v: StoredVersion, transactionId: string, at: string, clear?: Record<string, unknown>): Promise<void> {
    const { record, subject } = history;
    await this.log.append(
      'record_deposit',
      {
        recordId: record.id,
        version: v.version,
        subjectId: subject.id,
        category: record.category,
        custodianOrgId: record.custodian_org_id,
        commitment: v.commitment,
        at,
      },
      transactionId,
    );
    await this.onDeposit?.recordDeposited(subject.id, record.category, clear ?? this.openFields(history, v, this.dataKey(subject)));
    await this.store.confirmVersion(record.id, v.version);
  }

  private corrected(history: RecordHistory, v: Pick<StoredVersion, 'version' | 'commitment'>): CorrectedRecord {
    const previous = history.versions.filter((x) => x.confirmed && x.version < v.version).map((x) => x.version);
    return {
      recordId: history.record.id,
      subjectId: history.subject.id,
      category: history.record.category,
      version: v.version,
      previousVersion: Math.max(0, ...previous),
      commitment: v.commitment,
    };
  }

  private async history(custodianOrgId: string, recordId: string): Promise<RecordHistory> {
    const history = await this.store.recordHistory(recordId);
    // Another organisation's record is not found: its existence is not theirs to learn.
    if (!history || !history.record.confirmed || history.record.custodian_org_id !== custodianOrgId)
      throw new DomainError('not_found', `no record ${recordId} of yours`);
    return history;
  }

  private openFields(history: RecordHistory, v: Pick<StoredVersion, 'version' | 'fields'>, key: Uint8Array): Record<string, unknown> {
    const { record, subject } = history;
    return Object.fromEntries(
      Object.entries(v.fields).map(([name, sealed]) => [
        name,
        JSON.parse(
          Buffer.from(
            open(key, Buffer.from(sealed, 'base64'), fieldBinding(subject.id, record.id, name, v.version, record.category, record.custodian_org_id)),
          ).toString(),
        ) as unknown,
      ]),
    );
  }

  private async dataKeyOf(subjectId: string): Promise<Uint8Array> {
    const { subject } = await this.store.subjectWithLatestVersions(subjectId);
    if (!subject) throw new DomainError('not_found', 'no such subject');
    return this.dataKey(subject);
  }

  private dataKey(subject: SubjectRow): Uint8Array {
    if (!subject.wrapped_key) throw new DomainError('not_found', "this citizen's data has been erased");
    return this.keys.keks.unwrap(subject.id, subject.wrapped_key, subject.kek_version);
  }
}
