import { randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../../src/infra/database.js';

/** Rows the access log's foreign keys need, written straight into Postgres for the breach tests. */
export async function addOrganization(sql: Sql, name: string): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
    values (${id}, ${name}, ${'REG-' + randomBytes(6).toString('hex')}, 'VaultOperatorMSP', ${sql.array(['consumer'])}, ${sql.json({ keys: [] })}, 'VERIFIED')`;
  return id;
}

export async function addSubject(sql: Sql): Promise<string> {
  const id = randomUUID();
  await sql`insert into subjects (id, national_id_index) values (${id}, ${randomBytes(32)})`;
  return id;
}

export async function addConsent(sql: Sql, subjectId: string, orgId: string): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await sql`
    insert into consents (id, subject_id, consumer_org_id, purpose, requested_fields, granted_fields, access_mode, valid_from, valid_until,
                          retention_days, onward_transfer, cross_border, justification, status, artefact, artefact_salt, artefact_hash,
                          requested_at, updated_at)
    values (${id}, ${subjectId}, ${orgId}, 'credit_scoring', ${sql.array(['residence.province'])}, ${sql.array(['residence.province'])},
            ${sql.json({ mode: 'one_time' })}, ${now}, ${new Date(now.getTime() + 86_400_000)}, 30, false, false, 'test', 'ACTIVE',
            ${sql.json({})}, ${randomBytes(16)}, ${'0'.repeat(64)}, ${now}, ${now})`;
  return id;
}
