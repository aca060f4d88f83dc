import { randomUUID } from 'node:crypto';
import type { Sql } from '../../src/infra/database.js';

/**
 * Straight into Postgres, for the tests of what reads the consents tables: an organisation, a
 * citizen, and `count` ACTIVE consents of that citizen for it with `accessMode`, valid from a day
 * ago to a day ahead.
 */
export async function insertActiveConsents(
  sql: Sql,
  count: number,
  accessMode: Record<string, unknown> = { mode: 'PERIODIC', limit: 1_000, per: 'DAY' },
): Promise<{ orgId: string; subjectId: string; ids: string[] }> {
  const orgId = randomUUID();
  const subjectId = randomUUID();
  await sql`insert into organizations (id, name, registration_number, msp_id, roles, jwks, status)
            values (${orgId}, 'Bank', ${randomUUID()}, 'BankMSP', ${['consumer']}, ${sql.json({ keys: [] })}, 'VERIFIED')`;
  await sql`insert into subjects (id, national_id_index) values (${subjectId}, ${Buffer.from(randomUUID())})`;
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const id of ids) {
    await sql`insert into consents (id, subject_id, consumer_org_id, purpose, requested_fields, granted_fields, access_mode, valid_from, valid_until,
                                    retention_days, onward_transfer, cross_border, justification, status, artefact, artefact_salt, artefact_hash,
                                    requested_at, updated_at)
              values (${id}, ${subjectId}, ${orgId}, 'credit_scoring', ${['residence.province']}, ${['residence.province']}, ${sql.json(accessMode as never)},
                      now() - interval '1 day', now() + interval '1 day', 30, false, false, 'test', 'ACTIVE', ${sql.json({})}, ${Buffer.alloc(16)}, 'h',
                      now(), now())`;
  }
  return { orgId, subjectId, ids };
}
