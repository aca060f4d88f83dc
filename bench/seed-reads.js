// Seeds citizens for the consented-read benchmark straight into the stack's Postgres, the way the
// API itself leaves them: each citizen a subject with a data key sealed under the KEK, a residence
// and a health-insurance record whose fields are sealed with that key (bound to subject, record,
// category, custodian, field and version) and committed, and an ACTIVE consent for `consumer`.
// Seeding 10,000 citizens through the API would be 40,000 ledger transactions, which is not what
// the read benchmark measures; the reads themselves go through HTTP.
import { createHash, randomUUID } from 'node:crypto';
import { newDataKey, seal } from '../api/dist/infra/aead.js';
import { commitment, fieldBinding, keyBinding, nationalIdIndex } from '../api/dist/vault/envelope.js';

const PROVINCES = ['Hà Nội', 'Thành phố Hồ Chí Minh', 'Hải Phòng', 'Đà Nẵng', 'Cần Thơ', 'Huế', 'Quảng Ninh', 'Nghệ An'];
const CHUNK = 1_000;
const TABLES = { subjects: 'subjects', records: 'records', versions: 'record_versions', consents: 'consents' };

/**
 * `count` citizens with their records and an ACTIVE consent each for `consumerOrgId`, granting
 * `residence.province` and `health_insurance.status`; answers the consent ids. `tables` names other
 * tables of the same columns to seed instead (bench/growth.js stages citizens there, then spreads
 * them among generated ones).
 */
export async function seedConsentedCitizens(sql, { count, kek, indexKey, custodianOrgId, consumerOrgId, nationalIdBase = 200_000_000_000, tables = TABLES }) {
  const consentIds = [];
  const now = new Date();
  const validUntil = new Date(now.getTime() + 30 * 86400_000);
  for (let from = 0; from < count; from += CHUNK) {
    const subjects = [];
    const records = [];
    const versions = [];
    const consents = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const subjectId = randomUUID();
      const dataKey = newDataKey();
      subjects.push({
        id: subjectId,
        national_id_index: nationalIdIndex(indexKey, String(nationalIdBase + i)),
        wrapped_key: seal(kek, dataKey, keyBinding(subjectId, 1)),
      });
      for (const [category, clear] of [
        ['residence', { province: PROVINCES[i % PROVINCES.length], ward: 'Phường ' + (i % 97), streetAddress: `${i} Phố Huế` }],
        ['health_insurance', { status: i % 10 === 0 ? 'EXPIRED' : 'ACTIVE', coverageLevel: String(1 + (i % 5)) }],
      ]) {
        const recordId = randomUUID();
        const salt = newDataKey();
        const fields = Object.fromEntries(
          Object.entries(clear).map(([name, value]) => [
            name,
            seal(dataKey, Buffer.from(JSON.stringify(value)), fieldBinding(subjectId, recordId, name, 1, category, custodianOrgId)).toString('base64'),
          ]),
        );
        records.push({ id: recordId, subject_id: subjectId, category, custodian_org_id: custodianOrgId, confirmed: true });
        versions.push({
          record_id: recordId,
          version: 1,
          fields,
          sealed_salt: seal(dataKey, salt, fieldBinding(subjectId, recordId, '$salt', 1, category, custodianOrgId)),
          commitment: commitment(salt, { recordId, version: 1, subjectId, category, fields: clear }),
        });
      }
      const id = randomUUID();
      const artefact = { id, subjectId, consumerOrgId, purpose: 'credit_scoring', seeded: true };
      consents.push({
        id,
        subject_id: subjectId,
        consumer_org_id: consumerOrgId,
        purpose: 'credit_scoring',
        requested_fields: ['residence.province', 'health_insurance.status'],
        granted_fields: ['residence.province', 'health_insurance.status'],
        access_mode: { mode: 'PERIODIC', limit: 100000, per: 'DAY' },
        valid_from: now,
        valid_until: validUntil,
        retention_days: 30,
        onward_transfer: false,
        cross_border: false,
        justification: 'Benchmark consent',
        status: 'ACTIVE',
        artefact,
        artefact_salt: newDataKey(),
        artefact_hash: createHash('sha256').update(JSON.stringify(artefact)).digest('hex'),
        requested_at: now,
        decided_at: now,
        updated_at: now,
      });
      consentIds.push(id);
    }
    await sql.begin(async (tx) => {
      await tx`insert into ${tx(tables.subjects)} ${tx(subjects)}`;
      await tx`insert into ${tx(tables.records)} ${tx(records)}`;
      await tx`insert into ${tx(tables.versions)} ${tx(versions.map((v) => ({ ...v, fields: tx.json(v.fields) })))}`;
      await tx`insert into ${tx(tables.consents)} ${tx(
        consents.map((c) => ({
          ...c,
          requested_fields: tx.array(c.requested_fields),
          granted_fields: tx.array(c.granted_fields),
          access_mode: tx.json(c.access_mode),
          artefact: tx.json(c.artefact),
        })),
      )}`;
    });
  }
  for (const table of Object.values(tables)) await sql`analyze ${sql(table)}`;
  return consentIds;
}
