import { DomainError } from '../errors/index.js';
import { newId } from '../ids.js';
import { LedgerError } from '../ledger/fabric-ledger.js';
import { newDataKey, open, seal } from '../infra/aead.js';
import { commitment, fieldBinding, nationalIdIndex, randomSalt } from './envelope.js';
import type { Custodian, DepositLog, DepositObserver, FieldProvenance, KeyProvider, VaultLedger, VaultReader } from './ports.js';
import type { RecordVersionRow, SubjectRow, VaultStore } from './vault-store.js';
import { parseRecordFields } from './record-fields.js';
import { inServingOrder } from './field-precedence.js';

export interface DepositedRecord {
  id: string;
  subjectId: string;
  category: string;
  version: number;
  commitment: string;
}

export interface CitizenRecord {
  id: string;
  category: string;
  version: number;
  custodian: { id: string; name: string };
  fields: Record<string, unknown>;
  commitment: string;
  salt: string;
  depositedAt: string;
}

/**
 * The vault's story: a custodian deposits a record about a citizen; each field is sealed with the
 * citizen's data key, the version's salted commitment is anchored on the ledger, and the citizen
 * can read back their own records.
 */
export class VaultService implements VaultReader {
  constructor(
    private readonly store: VaultStore,
    private readonly ledger: VaultLedger,
    private readonly keys: KeyProvider,
    private readonly log: DepositLog,
    /** Told of each deposit, with the clear fields, after it is stored (the exchange's statistics projection). */
    private readonly onDeposit?: DepositObserver,
  ) {}

  /**
   * A custodian's deposit. `ref` names its Idempotency-Key: the retry of an attempt that died
   * (`retry`) answers with the record that attempt made — finished if its commitment committed —
   * never a second copy.
   */
  async deposit(
    custodian: Custodian,
    input: { nationalId: string; category: string; fields: Record<string, unknown> },
    options: { ref?: string; retry?: boolean } = {},
  ): Promise<DepositedRecord> {
    if (!custodian.roles.includes('custodian')) throw new DomainError('forbidden', 'only a custodian organisation deposits records');
    if (options.retry && options.ref) {
      const earlier = await this.earlierDeposit(custodian.id, options.ref);
      if (earlier) return earlier;
    }
    const fields = parseRecordFields(input.category, input.fields);
    const subject = await this.subjectFor(input.nationalId, true);
    const dataKey = this.dataKey(subject);
    const recordId = newId();
    const version = 1;
    const salt = randomSalt();
    const digest = commitment(salt, { recordId, version, subjectId: subject.id, category: input.category, fields });
    const sealed = Object.fromEntries(
      Object.entries(fields).map(([name, value]) => [
        name,
        seal(dataKey, Buffer.from(JSON.stringify(value)), fieldBinding(subject.id, recordId, name, version, input.category, custodian.id)).toString('base64'),
      ]),
    );
    // Stored first but not shown, then the commitment on the ledger, then confirmed with its log leaf.
    // A crash after the ledger committed leaves work the repair sweep finishes (never a second copy
    // on retry: the answer is stored under the Idempotency-Key once the ledger has committed); a
    // refused commitment drops the record; a commitment without a record cannot happen.
    await this.store.insertRecord({
      id: recordId,
      subjectId: subject.id,
      category: input.category,
      custodianOrgId: custodian.id,
      fields: sealed,
      sealedSalt: seal(dataKey, salt, fieldBinding(subject.id, recordId, '$salt', version, input.category, custodian.id)),
      commitment: digest,
      ...(options.ref ? { requestRef: options.ref } : {}),
    });
    let transactionId: string;
    let anchoredAt: string;
    try {
      const receipt = await this.ledger.submitWithReceipt(
        'commitments',
        'AnchorCommitment',
        JSON.stringify({ recordId, version, subjectId: subject.id, category: input.category, custodianOrgId: custodian.id, commitment: digest }),
      );
      transactionId = receipt.transactionId;
      anchoredAt = (JSON.parse(Buffer.from(receipt.result).toString()) as { anchoredAt: string }).anchoredAt;
    } catch (err) {
      if (err instanceof LedgerError && err.code !== 'ledger_unavailable' && err.code !== 'ledger_error')
        await this.store.dropUnconfirmedRecord(recordId).catch(() => {});
      throw err;
    }
    // Committed: the deposit has happened, whatever follows. If finishing fails here, the repair sweep
    // finishes it; answering an error would only make the custodian deposit it a second time.
    await this.finishDeposit(
      { recordId, version, subjectId: subject.id, category: input.category, custodianOrgId: custodian.id, commitment: digest, at: anchoredAt },
      fields,
      transactionId,
    ).catch(() => {});
    return { id: recordId, subjectId: subject.id, category: input.category, version, commitment: digest };
  }

  /**
   * What follows a deposit's commit, each step idempotent so the repair sweep can run it again:
   * its log leaf (once per ledger transaction), the statistics projection, then the record shown.
   */
  async finishDeposit(
    d: { recordId: string; version: number; subjectId: string; category: string; custodianOrgId: string; commitment: string; at: string },
    fields: Record<string, unknown>,
    transactionId: string,
  ): Promise<void> {
    await this.log.append(
      'record_deposit',
      {
        recordId: d.recordId,
        version: d.version,
        subjectId: d.subjectId,
        category: d.category,
        custodianOrgId: d.custodianOrgId,
        commitment: d.commitment,
        at: d.at,
      },
      transactionId,
    );
    await this.onDeposit?.recordDeposited(d.subjectId, d.category, fields);
    await this.store.confirmRecord(d.recordId);
  }

  /** Finishes a deposit the ledger committed whose request did not (the repair sweep); answers false if the record is unknown here. */
  async repairDeposit(recordId: string, transactionId: string, at: string): Promise<boolean> {
    const row = await this.store.recordForRepair(recordId);
    if (!row) return false;
    if (!row.wrapped_key) {
      await this.store.confirmRecord(recordId); // erased meanwhile: nothing to project
      return true;
    }
    const dataKey = this.keys.keks.unwrap(row.subject_id, row.wrapped_key, row.kek_version);
    const fields = Object.fromEntries(
      Object.entries(row.fields).map(([name, sealed]) => [
        name,
        JSON.parse(
          Buffer.from(
            open(dataKey, Buffer.from(sealed, 'base64'), fieldBinding(row.subject_id, recordId, name, row.version, row.category, row.custodian_org_id)),
          ).toString(),
        ) as unknown,
      ]),
    );
    await this.finishDeposit(
      {
        recordId,
        version: row.version,
        subjectId: row.subject_id,
        category: row.category,
        custodianOrgId: row.custodian_org_id,
        commitment: row.commitment,
        at,
      },
      fields,
      transactionId,
    );
    return true;
  }

  private async earlierDeposit(custodianOrgId: string, ref: string): Promise<DepositedRecord | undefined> {
    const earlier = await this.store.recordByRequestRef(custodianOrgId, ref);
    if (!earlier) return undefined;
    const answer = { id: earlier.id, subjectId: earlier.subject_id, category: earlier.category, version: earlier.version, commitment: earlier.commitment };
    if (earlier.confirmed) return answer;
    const anchored = await this.ledger.evaluate('commitments', 'GetCommitment', earlier.id, String(earlier.version)).then(
      (bytes) => JSON.parse(Buffer.from(bytes).toString()) as { txId: string; anchoredAt: string },
      (err: unknown) => (err instanceof LedgerError && err.code === 'not_found' ? undefined : Promise.reject(err)),
    );
    if (!anchored) {
      await this.store.dropUnconfirmedRecord(earlier.id); // it never reached the ledger: this attempt starts afresh
      return undefined;
    }
    await this.repairDeposit(earlier.id, anchored.txId, anchored.anchoredAt).catch(() => {}); // else the repair sweep finishes it
    return answer;
  }

  /** Drops a stored record whose commitment never reached the ledger. */
  async dropUnconfirmed(recordId: string): Promise<void> {
    await this.store.dropUnconfirmedRecord(recordId);
  }

  async recordsOf(nationalId: string): Promise<CitizenRecord[]> {
    const subject = await this.subjectFor(nationalId, false);
    if (!subject) return [];
    const dataKey = this.dataKey(subject);
    const rows = await this.store.latestVersions(subject.id);
    return rows.map((row) => ({
      id: row.record_id,
      category: row.category,
      version: row.version,
      custodian: { id: row.custodian_org_id, name: row.custodian_name },
      fields: Object.fromEntries(
        Object.entries(row.fields).map(([name, sealed]) => [
          name,
          JSON.parse(
            Buffer.from(
              open(dataKey, Buffer.from(sealed, 'base64'), fieldBinding(subject.id, row.record_id, name, row.version, row.category, row.custodian_org_id)),
            ).toString(),
          ) as unknown,
        ]),
      ),
      commitment: row.commitment,
      salt: Buffer.from(
        open(dataKey, row.sealed_salt, fieldBinding(subject.id, row.record_id, '$salt', row.version, row.category, row.custodian_org_id)),
      ).toString('base64'),
      depositedAt: row.created_at.toISOString(),
    }));
  }

  /** The citizen's random subject id, created on first need: the only identifier of them the ledger sees. */
  async subjectId(nationalId: string, create: boolean): Promise<string | undefined> {
    return create ? (await this.subjectFor(nationalId, true)).id : (await this.subjectFor(nationalId, false))?.id;
  }

  /** The latest values of the given fields (`category.field`) of a subject's records, with where each came from. */
  async fieldsOf(subjectId: string, fieldPaths: readonly string[]): Promise<{ fields: Record<string, unknown>; provenance: FieldProvenance[] }> {
    const { subject, versions } = await this.store.subjectWithLatestVersions(subjectId);
    return this.openFields(subject, versions, fieldPaths);
  }

  /**
   * The same, from a subject's sealed key and latest record versions already loaded (the consented
   * read loads them with the consent, in one round trip): no I/O, only the opening.
   */
  openFields(
    subject: SubjectRow | undefined,
    versions: readonly Pick<RecordVersionRow, 'record_id' | 'category' | 'custodian_org_id' | 'version' | 'fields' | 'commitment' | 'created_at'>[],
    fieldPaths: readonly string[],
  ): { fields: Record<string, unknown>; provenance: FieldProvenance[] } {
    if (!subject) return { fields: {}, provenance: [] };
    const dataKey = this.dataKey(subject);
    const wanted = new Set(fieldPaths);
    const fields: Record<string, unknown> = {};
    const provenance: FieldProvenance[] = [];
    // Where several custodians hold a field, the later row overwrites: see field-precedence.ts.
    for (const row of inServingOrder(versions)) {
      const names = Object.keys(row.fields).filter((name) => wanted.has(`${row.category}.${name}`));
      if (names.length === 0) continue;
      for (const name of names) {
        fields[`${row.category}.${name}`] = JSON.parse(
          Buffer.from(
            open(
              dataKey,
              Buffer.from(row.fields[name]!, 'base64'),
              fieldBinding(subject.id, row.record_id, name, row.version, row.category, row.custodian_org_id),
            ),
          ).toString(),
        ) as unknown;
      }
      provenance.push({ recordId: row.record_id, version: row.version, category: row.category, commitment: row.commitment });
    }
    return { fields, provenance };
  }

  private async subjectFor(nationalId: string, create: true): Promise<SubjectRow>;
  private async subjectFor(nationalId: string, create: false): Promise<SubjectRow | undefined>;
  private async subjectFor(nationalId: string, create: boolean): Promise<SubjectRow | undefined> {
    const index = nationalIdIndex(this.keys.indexKey, nationalId);
    const existing = await this.store.subjectByIndex(index);
    if (existing || !create) return existing;
    const id = newId();
    const { wrapped, version } = this.keys.keks.wrap(id, newDataKey());
    return this.store.insertSubject(id, index, wrapped, version);
  }

  private dataKey(subject: SubjectRow): Uint8Array {
    if (!subject.wrapped_key) throw new DomainError('not_found', "this citizen's data has been erased");
    return this.keys.keks.unwrap(subject.id, subject.wrapped_key, subject.kek_version);
  }
}
