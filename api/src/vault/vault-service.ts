import { ApiError } from '../http/problem.js';
import { newId } from '../ids.js';
import type { FabricLedger } from '../ledger/fabric-ledger.js';
import type { Organization } from '../organizations/organization.js';
import { commitment, fieldBinding, keyBinding, nationalIdIndex, newDataKey, open, randomSalt, seal } from './envelope.js';
import type { PgVault, SubjectRow } from './pg-vault.js';
import { parseRecordFields } from './record-fields.js';

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
export class VaultService {
  constructor(
    private readonly store: PgVault,
    private readonly ledger: FabricLedger,
    private readonly keys: { kek: Uint8Array; indexKey: Uint8Array },
  ) {}

  async deposit(custodian: Organization, input: { nationalId: string; category: string; fields: Record<string, unknown> }): Promise<DepositedRecord> {
    if (!custodian.roles.includes('custodian')) throw new ApiError('forbidden', 'only a custodian organisation deposits records');
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
        seal(dataKey, Buffer.from(JSON.stringify(value)), fieldBinding(subject.id, recordId, name, version)).toString('base64'),
      ]),
    );
    // The ledger first: a commitment without its record is harmless, a record without its commitment is not verifiable.
    await this.ledger.submit(
      'commitments',
      'AnchorCommitment',
      JSON.stringify({ recordId, version, subjectId: subject.id, category: input.category, custodianOrgId: custodian.id, commitment: digest }),
    );
    await this.store.insertRecord({
      id: recordId,
      subjectId: subject.id,
      category: input.category,
      custodianOrgId: custodian.id,
      fields: sealed,
      sealedSalt: seal(dataKey, salt, fieldBinding(subject.id, recordId, '$salt', version)),
      commitment: digest,
    });
    return { id: recordId, subjectId: subject.id, category: input.category, version, commitment: digest };
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
          JSON.parse(Buffer.from(open(dataKey, Buffer.from(sealed, 'base64'), fieldBinding(subject.id, row.record_id, name, row.version))).toString()) as unknown,
        ]),
      ),
      commitment: row.commitment,
      salt: Buffer.from(open(dataKey, row.sealed_salt, fieldBinding(subject.id, row.record_id, '$salt', row.version))).toString('base64'),
      depositedAt: row.created_at.toISOString(),
    }));
  }

  private async subjectFor(nationalId: string, create: true): Promise<SubjectRow>;
  private async subjectFor(nationalId: string, create: false): Promise<SubjectRow | undefined>;
  private async subjectFor(nationalId: string, create: boolean): Promise<SubjectRow | undefined> {
    const index = nationalIdIndex(this.keys.indexKey, nationalId);
    const existing = await this.store.subjectByIndex(index);
    if (existing || !create) return existing;
    const id = newId();
    return this.store.insertSubject(id, index, seal(this.keys.kek, newDataKey(), keyBinding(id, 1)));
  }

  private dataKey(subject: SubjectRow): Uint8Array {
    if (!subject.wrapped_key) throw new ApiError('not_found', 'this citizen\'s data has been erased');
    return open(this.keys.kek, subject.wrapped_key, keyBinding(subject.id, subject.kek_version));
  }
}
