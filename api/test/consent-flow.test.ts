import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactDecrypt, compactVerify, createLocalJWKSet } from 'jose';
import { citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from './stack.js';

const AN = '001099012345';
const BINH = '079188004321';

describe('consent, end to end: deposit, request, partial approval, reads, revoke', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let bank: TestOrganization;
  let other: TestOrganization;
  let an: string;
  let binh: string;
  let consentId: string;

  const { call, ok } = requests(() => stack.url);

  beforeAll(async () => {
    stack = await startStack();
    custodian = await registerOrganization(stack, ['custodian'], 'Bảo hiểm xã hội Việt Nam');
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Số An Tâm');
    other = await registerOrganization(stack, ['consumer'], 'Công ty Khác');
    an = await citizenToken(stack, AN);
    binh = await citizenToken(stack, BINH);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('1. a custodian deposits records', async () => {
    const token = await custodian.token();
    await ok(
      await call('/v1/records', token, {
        body: {
          subject: { nationalId: AN },
          category: 'health_insurance',
          fields: { cardNumber: 'HN4010123456789', status: 'ACTIVE', registeredHospital: 'Bạch Mai' },
        },
      }),
      201,
    );
    await ok(
      await call('/v1/records', token, {
        body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: '12 Phố Huế' } },
      }),
      201,
    );
  });

  it('2. a consumer requests consent for some fields, with a reason', async () => {
    const consent = await ok<{ id: string; status: string }>(
      await call('/v1/consents', await bank.token(), {
        body: {
          subject: { nationalId: AN },
          purpose: 'credit_scoring',
          fields: ['health_insurance.status', 'health_insurance.cardNumber', 'residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 5, per: 'DAY' },
          validUntil: new Date(Date.now() + 30 * 86400_000).toISOString(),
          retentionDays: 30,
          justification: 'Thẩm định hồ sơ vay tiêu dùng số HS-2026-0042',
        },
      }),
      201,
    );
    expect(consent.status).toBe('REQUESTED');
    consentId = consent.id;
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetConsent', consentId)).toString());
    expect(onLedger).toMatchObject({ status: 'REQUESTED', consumerOrgId: bank.id, purpose: 'credit_scoring' });
    expect(JSON.stringify(onLedger)).not.toContain('HS-2026-0042'); // the justification stays off the ledger
  });

  it('3. the citizen sees the request and approves only part of it', async () => {
    const mine = await ok<{ items: { id: string; status: string; consumer: { name: string }; requestedFields: string[] }[] }>(
      await call('/v1/me/consents?status=REQUESTED', an),
    );
    expect(mine.items.map((c) => c.id)).toEqual([consentId]);
    expect(mine.items[0]!.consumer.name).toBe('Ngân hàng Số An Tâm');
    const approved = await ok<{ status: string; grantedFields: string[] }>(
      await call(`/v1/consents/${consentId}/approve`, an, { body: { fields: ['health_insurance.status', 'residence.province'] } }),
    );
    expect(approved).toMatchObject({ status: 'ACTIVE', grantedFields: ['health_insurance.status', 'residence.province'] });
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetConsent', consentId)).toString());
    expect(onLedger).toMatchObject({ status: 'ACTIVE', grantedFields: ['health_insurance.status', 'residence.province'] });
  });

  it('4. the consumer reads exactly the granted fields, in plain JSON and as a JWE for its own key', async () => {
    const plain = await ok<{ fields: Record<string, unknown>; provenance: unknown[] }>(await call(`/v1/consents/${consentId}/data`, await bank.token()));
    expect(plain.fields).toEqual({ 'health_insurance.status': 'ACTIVE', 'residence.province': 'Hà Nội' });
    expect(plain.provenance).toHaveLength(2);

    const res = await call(`/v1/consents/${consentId}/data`, await bank.token(), { accept: 'application/jose' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jose/);
    const jwe = await res.text();
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, bank.decryptionKey);
    expect(protectedHeader).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWS' });
    // Inside: a JWS by the vault's own key, so the consumer knows where the data came from.
    const jwks = createLocalJWKSet((await (await fetch(stack.url + '/.well-known/jwks.json')).json()) as never);
    const { payload } = await compactVerify(new TextDecoder().decode(plaintext), jwks);
    expect(JSON.parse(new TextDecoder().decode(payload)).fields).toEqual(plain.fields);
    await expect(compactDecrypt(jwe, other.decryptionKey)).rejects.toThrow();

    const asked = await call(`/v1/consents/${consentId}/data?fields=health_insurance.cardNumber`, await bank.token());
    expect(asked.status).toBe(403);
    expect(((await asked.json()) as { code: string }).code).toBe('field_not_granted');
  });

  it('5. the citizen sees who read what, refusals included', async () => {
    const events = await ok<{ items: { consumer: { name: string }; fields: string[]; outcome: string; reason: string | null }[] }>(
      await call('/v1/me/access-events', an),
    );
    expect(events.items.map((e) => e.outcome)).toEqual(['DENIED', 'GRANTED', 'GRANTED']);
    expect(events.items[0]).toMatchObject({ reason: 'field_not_granted', fields: ['health_insurance.cardNumber'], consumer: { name: 'Ngân hàng Số An Tâm' } });
  });

  it('6–8. the citizen revokes; the next read is refused with consent_not_active, and the citizen sees the refusal', async () => {
    expect((await ok<{ status: string }>(await call(`/v1/consents/${consentId}/revoke`, an, { method: 'POST' }))).status).toBe('REVOKED');
    const refused = await call(`/v1/consents/${consentId}/data`, await bank.token());
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await refused.json()) as { code: string }).code).toBe('consent_not_active');
    const events = await ok<{ items: { outcome: string; reason: string | null }[] }>(await call('/v1/me/access-events', an));
    expect(events.items[0]).toMatchObject({ outcome: 'DENIED', reason: 'not_active' });
  });

  it("hands both parties the same signed consent artefact, verifiable with the API's published key", async () => {
    const jwks = createLocalJWKSet((await (await fetch(stack.url + '/.well-known/jwks.json')).json()) as never);
    const fromCitizen = await (await call(`/v1/consents/${consentId}/artefact`, an)).text();
    const fromBank = await (await call(`/v1/consents/${consentId}/artefact`, await bank.token())).text();
    const { payload } = await compactVerify(fromCitizen, jwks);
    expect(new TextDecoder().decode((await compactVerify(fromBank, jwks)).payload)).toBe(new TextDecoder().decode(payload)); // same document, each signature fresh
    const artefact = JSON.parse(new TextDecoder().decode(payload));
    expect(artefact).toMatchObject({ id: consentId, status: 'REVOKED', purpose: 'credit_scoring', consumer: { name: 'Ngân hàng Số An Tâm' } });
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('consent', 'GetConsent', consentId)).toString());
    expect(artefact.ledger.artefactHash).toBe(onLedger.artefactHash);
  });

  it('keeps every party to its own: citizens and organisations cannot see, decide or read what is not theirs', async () => {
    const otherToken = await other.token();
    const checks: [string, Response, number][] = [
      ["B lists A's consents", await call('/v1/me/consents', binh), 200],
      ["B approves A's consent", await call(`/v1/consents/${consentId}/approve`, binh, { body: {} }), 404],
      ["B revokes A's consent", await call(`/v1/consents/${consentId}/revoke`, binh, { method: 'POST' }), 404],
      ["B downloads A's artefact", await call(`/v1/consents/${consentId}/artefact`, binh), 404],
      ["org Y reads org X's consent", await call(`/v1/consents/${consentId}`, otherToken), 404],
      ["org Y reads data under org X's consent", await call(`/v1/consents/${consentId}/data`, otherToken), 404],
      ['a citizen reads data as a consumer', await call(`/v1/consents/${consentId}/data`, an), 403],
      ['an organisation decides for a citizen', await call(`/v1/consents/${consentId}/approve`, await bank.token(), { body: {} }), 403],
      [
        'a custodian asks for consent',
        await call('/v1/consents', await custodian.token(), {
          body: {
            subject: { nationalId: BINH },
            purpose: 'marketing',
            fields: ['residence.province'],
            mode: 'ONCE',
            validUntil: new Date(Date.now() + 86400_000).toISOString(),
            retentionDays: 1,
            justification: 'we would like to market to you',
          },
        }),
        403,
      ],
    ];
    for (const [what, res, status] of checks) expect(res.status, what).toBe(status);
    expect(((await (await call('/v1/me/consents', binh)).json()) as { items: unknown[] }).items).toEqual([]);
    const binhEvents = await ok<{ items: unknown[] }>(await call('/v1/me/access-events', binh));
    expect(binhEvents.items).toEqual([]);
  });

  it('refuses malformed consent requests with 400 problem+json', async () => {
    const token = await bank.token();
    const base = {
      subject: { nationalId: BINH },
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 7,
      justification: 'Kiểm tra nơi cư trú',
    };
    for (const [what, body] of [
      ['periodic without frequency', { ...base, mode: 'PERIODIC' }],
      ['an unknown field', { ...base, fields: ['residence.bloodType'] }],
      ['an unknown purpose', { ...base, purpose: 'surveillance' }],
      ['a past end', { ...base, validUntil: '2020-01-01T00:00:00Z' }],
      ['a short justification', { ...base, justification: 'x' }],
    ] as const) {
      const res = await call('/v1/consents', token, { body });
      expect(res.status, what).toBe(400);
      expect(res.headers.get('content-type'), what).toMatch(/problem\+json/);
    }
  });

  it('serves a ONCE consent exactly once, however many reads race for it', async () => {
    const token = await bank.token();
    const { id } = await ok<{ id: string }>(
      await call('/v1/consents', token, {
        body: {
          subject: { nationalId: AN },
          purpose: 'identity_verification',
          fields: ['residence.province'],
          mode: 'ONCE',
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 0,
          justification: 'Xác minh địa chỉ một lần',
        },
      }),
      201,
    );
    await ok(await call(`/v1/consents/${id}/approve`, an, { body: {} }));
    const statuses = await Promise.all(Array.from({ length: 20 }, () => call(`/v1/consents/${id}/data`, token).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(19);
  });

  it('refuses a malformed field list with 400, and other reads go on unharmed', async () => {
    const { id } = await ok<{ id: string }>(
      await call('/v1/consents', await bank.token(), {
        body: {
          subject: { nationalId: AN },
          purpose: 'credit_scoring',
          fields: ['residence.province'],
          mode: 'PERIODIC',
          frequency: { limit: 1000, per: 'DAY' },
          validUntil: new Date(Date.now() + 86400_000).toISOString(),
          retentionDays: 0,
          justification: 'Thẩm định hồ sơ vay',
        },
      }),
      201,
    );
    await ok(await call(`/v1/consents/${id}/approve`, an, { body: {} }));
    const token = await bank.token();
    const [bad, ...good] = await Promise.all([
      call(`/v1/consents/${id}/data?fields=${encodeURIComponent('x"')}`, token),
      ...Array.from({ length: 20 }, () => call(`/v1/consents/${id}/data`, token)),
    ]);
    expect(bad!.status).toBe(400);
    expect(good.map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});
