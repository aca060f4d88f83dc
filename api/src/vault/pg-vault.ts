import type { Sql } from '../infra/database.js';
import type { NewRecord, NewVersion, RecordForRepair, RecordHistory, RecordVersionRow, StoredVersion, SubjectRow, VaultStore } from './vault-store.js';

export type { RecordVersionRow, SubjectRow } from './vault-store.js';

/** The vault's tables: subjects (found by blind index), records and their sealed versions. */
export class PgVault implements VaultStore {
  constructor(private readonly sql: Sql) {}

  async subjectByIndex(index: Buffer): Promise<SubjectRow | undefined> {
    const [row] = await this.sql<SubjectRow[]>`select id, wrapped_key, kek_version from subjects where national_id_index = ${index}`;
    return row;
  }

  /** Creates the subject unless another request just did; either way returns the stored one. */
  async insertSubject(id: string, index: Buffer, wrappedKey: Buffer, kekVersion = 1): Promise<SubjectRow> {
    await this.sql`insert into subjects (id, national_id_index, wrapped_key, kek_version) values (${id}, ${index}, ${wrappedKey}, ${kekVersion})
                   on conflict (national_id_index) do nothing`;
    return (await this.subjectByIndex(index))!;
  }

  /** Stores a record, not yet shown to anyone: it is confirmed once its commitment has committed on the ledger. */
  async insertRecord(r: NewRecord): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`insert into records (id, subject_id, category, custodian_org_id, confirmed, request_ref) values (${r.id}, ${r.subjectId}, ${r.category}, ${r.custodianOrgId}, false, ${r.requestRef ?? null})`;
      await tx`insert into record_versions (record_id, version, fields, sealed_salt, commitment)
               values (${r.id}, 1, ${tx.json(r.fields)}, ${r.sealedSalt}, ${r.commitment})`;
    });
  }

  /** The record a deposit with this Idempotency-Key ref made, if any. */
  async recordByRequestRef(
    custodianOrgId: string,
    ref: string,
  ): Promise<{ id: string; subject_id: string; category: string; confirmed: boolean; version: number; commitment: string } | undefined> {
    const [row] = await this.sql<{ id: string; subject_id: string; category: string; confirmed: boolean; version: number; commitment: string }[]>`
      select r.id, r.subject_id, r.category, r.confirmed, v.version, v.commitment from records r join record_versions v on v.record_id = r.id
      where r.request_ref = ${ref} and r.custodian_org_id = ${custodianOrgId} and v.confirmed order by v.version desc limit 1`;
    return row;
  }

  async confirmRecord(id: string): Promise<void> {
    await this.sql`update records set confirmed = true where id = ${id}`;
  }

  /** Drops a record whose commitment the ledger refused or never committed: it was never shown. */
  async dropUnconfirmedRecord(id: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`delete from record_versions where record_id = ${id} and exists (select 1 from records where id = ${id} and not confirmed)`;
      await tx`delete from records where id = ${id} and not confirmed`;
    });
  }

  /** A record with its subject's sealed key, confirmed or not: what finishing a deposit needs. */
  async recordForRepair(id: string): Promise<RecordForRepair | undefined> {
    const [row] = await this.sql<RecordForRepair[]>`
      select r.id as record_id, r.subject_id, r.category, r.custodian_org_id, o.name as custodian_name, r.confirmed, s.wrapped_key, s.kek_version,
             v.version, v.fields, v.sealed_salt, v.commitment, v.created_at
      from records r join record_versions v on v.record_id = r.id join organizations o on o.id = r.custodian_org_id join subjects s on s.id = r.subject_id
      where r.id = ${id} order by v.version desc limit 1`;
    return row;
  }

  /** A subject's sealed data key and the latest version of each of its records, in one round trip. */
  async subjectWithLatestVersions(subjectId: string): Promise<{ subject: SubjectRow | undefined; versions: RecordVersionRow[] }> {
    const rows = await this.sql<(RecordVersionRow & { wrapped_key: Buffer | null; kek_version: number; has_record: boolean })[]>`
      select s.wrapped_key, s.kek_version, v.record_id is not null as has_record, v.*
      from subjects s
      left join lateral (
        select distinct on (r.id) r.id as record_id, r.subject_id, r.category, r.custodian_org_id, o.name as custodian_name,
               rv.version, rv.fields, rv.sealed_salt, rv.commitment, rv.created_at
        from records r join record_versions rv on rv.record_id = r.id join organizations o on o.id = r.custodian_org_id
        where r.subject_id = s.id and r.confirmed and rv.confirmed order by r.id, rv.version desc
      ) v on true
      where s.id = ${subjectId}`;
    const first = rows[0];
    if (!first) return { subject: undefined, versions: [] };
    return {
      subject: { id: subjectId, wrapped_key: first.wrapped_key, kek_version: first.kek_version },
      versions: rows.filter((r) => r.has_record),
    };
  }

  /** The latest version of each of a subject's records. */
  async latestVersions(subjectId: string): Promise<RecordVersionRow[]> {
    return this.sql<RecordVersionRow[]>`
      select distinct on (r.id) r.id as record_id, r.subject_id, r.category, r.custodian_org_id, o.name as custodian_name,
             v.version, v.fields, v.sealed_salt, v.commitment, v.created_at
      from records r
      join record_versions v on v.record_id = r.id
      join organizations o on o.id = r.custodian_org_id
      where r.subject_id = ${subjectId} and r.confirmed and v.confirmed
      order by r.id, v.version desc`;
  }

  async recordHistory(recordId: string): Promise<RecordHistory | undefined> {
    const [record] = await this.sql<(RecordHistory['record'] & { wrapped_key: Buffer | null; kek_version: number })[]>`
      select r.id, r.subject_id, r.category, r.custodian_org_id, r.confirmed, s.wrapped_key, s.kek_version
      from records r join subjects s on s.id = r.subject_id where r.id = ${recordId}`;
    if (!record) return undefined;
    const versions = await this.sql<StoredVersion[]>`
      select version, fields, sealed_salt, commitment, created_at, confirmed, superseded_at, superseded_by, correction_ref
      from record_versions where record_id = ${recordId} order by version`;
    const { wrapped_key, kek_version, ...rest } = record;
    return { record: rest, subject: { id: record.subject_id, wrapped_key, kek_version }, versions };
  }

  async insertVersion(v: NewVersion): Promise<boolean> {
    const rows = await this.sql`
      insert into record_versions (record_id, version, fields, sealed_salt, commitment, confirmed, correction_ref)
      values (${v.recordId}, ${v.version}, ${this.sql.json(v.fields)}, ${v.sealedSalt}, ${v.commitment}, false, ${v.correctionRef})
      on conflict (record_id, version) do nothing returning version`;
    return rows.length === 1;
  }

  async confirmVersion(recordId: string, version: number): Promise<void> {
    await this.sql.begin(async (tx) => {
      // The replaced version first: at most one version of a record is current (record_versions_one_current).
      await tx`update record_versions set superseded_at = now(), superseded_by = ${version}
               where record_id = ${recordId} and version < ${version} and confirmed and superseded_at is null`;
      await tx`update record_versions set confirmed = true, created_at = now() where record_id = ${recordId} and version = ${version} and not confirmed`;
    });
  }

  async dropUnconfirmedVersion(recordId: string, version: number): Promise<void> {
    await this.sql`delete from record_versions where record_id = ${recordId} and version = ${version} and not confirmed`;
  }
}
