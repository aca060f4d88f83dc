import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '@citizen-vault/chaincode/rules';
import { citizenToken, registerOrganization, startStack, type TestStack } from './stack.js';

const AN = '001099012345';
const BINH = '079188004321';

describe('the vault', () => {
  let stack: TestStack;
  let custodian: Awaited<ReturnType<typeof registerOrganization>>;
  const request = async (path: string, token: string, body?: unknown) =>
    fetch(stack.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const insurance = { cardNumber: 'HN4010123456789', coverageLevel: '4', registeredHospital: 'Bệnh viện Bạch Mai', validUntil: '2027-12-31' };

  beforeAll(async () => {
    stack = await startStack();
    custodian = await registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội Việt Nam');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('lets a custodian deposit a record, sealed field by field, its commitment anchored on the ledger', async () => {
    const res = await request('/v1/records', await custodian.token(), { subject: { nationalId: AN }, category: 'health_insurance', fields: insurance });
    expect(res.status).toBe(201);
    const record = (await res.json()) as { id: string; subjectId: string; version: number; commitment: string };
    expect(record).toMatchObject({ category: 'health_insurance', version: 1 });
    expect(record.subjectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const verified = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('commitments', 'VerifyCommitment', record.id, '1', record.commitment)).toString());
    expect(verified).toMatchObject({ matches: true, custodianOrgId: custodian.id });

    // Nothing readable at rest: no national id, no field value, in any vault table.
    const dump = JSON.stringify(
      await stack.api.sql`select s.*, r.*, v.* from subjects s join records r on r.subject_id = s.id join record_versions v on v.record_id = r.id`,
    );
    for (const secret of [AN, insurance.cardNumber, 'Bạch Mai', '2027-12-31']) expect(dump).not.toContain(secret);
  });

  it("shows citizens their own records, decrypted, and nothing of anyone else's", async () => {
    const mine = (await (await request('/v1/me/records', await citizenToken(stack, AN))).json()) as {
      items: {
        id: string;
        version: number;
        category: string;
        fields: Record<string, unknown>;
        custodian: { name: string };
        commitment: string;
        salt: string;
      }[];
    };
    expect(mine.items).toHaveLength(1);
    const record = mine.items[0]!;
    expect(record.fields).toEqual(insurance);
    expect(record.custodian.name).toBe('Bảo hiểm xã hội Việt Nam');
    // Anyone holding the data and the salt can check it against the ledger's commitment.
    const subjectId = (await stack.api.sql<{ subject_id: string }[]>`select subject_id from records where id = ${record.id}`)[0]!.subject_id;
    const recomputed = createHash('sha256')
      .update(Buffer.from(record.salt, 'base64'))
      .update(canonicalJson({ recordId: record.id, version: 1, subjectId, category: 'health_insurance', fields: insurance }))
      .digest('hex');
    expect(recomputed).toBe(record.commitment);

    const theirs = (await (await request('/v1/me/records', await citizenToken(stack, BINH))).json()) as { items: unknown[] };
    expect(theirs.items).toEqual([]);
  });

  it('refuses deposits from non-custodians, and records that do not match their category', async () => {
    const consumer = await registerOrganization(stack, ['consumer'], 'Công ty Tài chính');
    expect(
      (await request('/v1/records', await consumer.token(), { subject: { nationalId: AN }, category: 'tax', fields: { taxCode: '8001234567' } })).status,
    ).toBe(403);
    const citizen = await citizenToken(stack, AN);
    expect((await request('/v1/records', citizen, { subject: { nationalId: AN }, category: 'tax', fields: { taxCode: '1' } })).status).toBe(403);

    const token = await custodian.token();
    const bad = await request('/v1/records', token, {
      subject: { nationalId: AN },
      category: 'health_insurance',
      fields: { cardNumber: 42, diagnosis: 'flu' },
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['/fields/cardNumber', '/fields/diagnosis']);
    expect((await request('/v1/records', token, { subject: { nationalId: 'An' }, category: 'tax', fields: { taxCode: '1' } })).status).toBe(400);
    expect((await request('/v1/records', token, { subject: { nationalId: AN }, category: 'criminal_record', fields: { x: 1 } })).status).toBe(400);
  });

  it('publishes the vocabulary: categories with labelled, sensitivity-marked fields, and purposes', async () => {
    const vocabulary = (await (await fetch(stack.url + '/v1/vocabulary')).json()) as {
      categories: { code: string; fields: { name: string; sensitive: boolean; labels: { vi: string; en: string } }[] }[];
      purposes: { code: string }[];
    };
    expect(vocabulary.categories.map((c) => c.code)).toEqual(['identity', 'residence', 'health_insurance', 'education', 'tax', 'driving_licence']);
    expect(vocabulary.categories.find((c) => c.code === 'health_insurance')!.fields.every((f) => f.sensitive)).toBe(true);
    expect(vocabulary.purposes.length).toBeGreaterThanOrEqual(8);
  });
});
