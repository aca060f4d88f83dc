import type { Sql } from '../infra/database.js';

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

/** The vault's tables: subjects (found by blind index), records and their sealed versions. */
export class PgVault {
  constructor(private readonly sql: Sql) {}

  async subjectByIndex(index: Buffer): Promise<SubjectRow | undefined> {
    const [row] = await this.sql<SubjectRow[]>`select id, wrapped_key, kek_version from subjects where national_id_index = ${index}`;
    return row;
  }

  async subjectById(id: string): Promise<SubjectRow | undefined> {
    const [row] = await this.sql<SubjectRow[]>`select id, wrapped_key, kek_version from subjects where id = ${id}`;
    return row;
  }

  /** Creates the subject unless another request just did; either way returns the stored one. */
  async insertSubject(id: string, index: Buffer, wrappedKey: Buffer): Promise<SubjectRow> {
    await this.sql`insert into subjects (id, national_id_index, wrapped_key) values (${id}, ${index}, ${wrappedKey}) on conflict (national_id_index) do nothing`;
    return (await this.subjectByIndex(index))!;
  }

  async insertRecord(r: { id: string; subjectId: string; category: string; custodianOrgId: string; fields: Record<string, string>; sealedSalt: Buffer; commitment: string }): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`insert into records (id, subject_id, category, custodian_org_id) values (${r.id}, ${r.subjectId}, ${r.category}, ${r.custodianOrgId})`;
      await tx`insert into record_versions (record_id, version, fields, sealed_salt, commitment)
               values (${r.id}, 1, ${tx.json(r.fields)}, ${r.sealedSalt}, ${r.commitment})`;
    });
  }

  /** The latest version of each of a subject's records. */
  async latestVersions(subjectId: string): Promise<RecordVersionRow[]> {
    return this.sql<RecordVersionRow[]>`
      select distinct on (r.id) r.id as record_id, r.subject_id, r.category, r.custodian_org_id, o.name as custodian_name,
             v.version, v.fields, v.sealed_salt, v.commitment, v.created_at
      from records r
      join record_versions v on v.record_id = r.id
      join organizations o on o.id = r.custodian_org_id
      where r.subject_id = ${subjectId}
      order by r.id, v.version desc`;
  }
}
