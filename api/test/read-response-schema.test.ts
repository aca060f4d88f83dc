import { compactDecrypt, compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { citizenToken, registerOrganization, useStack } from './stack.js';

const NATIONAL_ID = '001099055555';

/** The schema the published document gives a 200 JSON answer of GET /v1/consents/{id}/data, as a validator. */
async function documentedReadSchema(url: string): Promise<z.ZodType> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
    paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
  };
  const schema = document.paths['/v1/consents/{id}/data']!.get.responses['200']!.content['application/json']!.schema;
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0], { defaultTarget: 'draft-2020-12' });
}

describe('the consented read answers exactly what the OpenAPI document declares', () => {
  const shared = useStack();

  it("validates real read answers — all granted fields, a chosen field, and the JWE's signed content — against the document, which admits no undeclared property", async () => {
    const { stack, call } = shared;
    const custodian = await registerOrganization(stack, ['custodian']);
    const bank = await registerOrganization(stack, ['consumer']);
    const citizen = await citizenToken(stack, NATIONAL_ID);
    expect(
      (
        await call('/v1/records', await custodian.token(), {
          subject: { nationalId: NATIONAL_ID },
          category: 'residence',
          fields: { province: 'Huế', streetAddress: '1 Lê Lợi' },
        })
      ).status,
    ).toBe(201);
    const consent = (await (
      await call('/v1/consents', await bank.token(), {
        subject: { nationalId: NATIONAL_ID },
        purpose: 'credit_scoring',
        fields: ['residence.province', 'residence.streetAddress'],
        mode: 'PERIODIC',
        frequency: { limit: 10, per: 'DAY' },
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        retentionDays: 30,
        justification: 'Thẩm định hồ sơ vay HS-2026-0099',
      })
    ).json()) as { id: string };
    expect((await call(`/v1/consents/${consent.id}/approve`, citizen, {})).status).toBe(200);

    const schema = await documentedReadSchema(stack.url);
    const token = await bank.token();
    const all = await (await call(`/v1/consents/${consent.id}/data`, token)).json();
    const one = await (await call(`/v1/consents/${consent.id}/data?fields=residence.province`, token)).json();
    const jwe = await fetch(`${stack.url}/v1/consents/${consent.id}/data`, { headers: { authorization: `Bearer ${token}`, accept: 'application/jose' } });
    const { plaintext: jws } = await compactDecrypt(await jwe.text(), bank.decryptionKey);
    const jwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await compactVerify(new TextDecoder().decode(jws), createLocalJWKSet(jwks));
    const sealed: unknown = JSON.parse(new TextDecoder().decode(payload));

    for (const body of [all, one, sealed]) expect(schema.safeParse(body).error).toBeUndefined();
    expect(all).toMatchObject({
      consentId: consent.id,
      purpose: 'credit_scoring',
      fields: { 'residence.province': 'Huế', 'residence.streetAddress': '1 Lê Lợi' },
    });
    expect((all as { provenance: unknown[] }).provenance).toHaveLength(1);
    // The document is exact: a property it does not declare is refused, so an answer that grew one would fail above.
    expect(schema.safeParse({ ...(all as object), extra: true }).success).toBe(false);
    expect(
      schema.safeParse({ ...(all as object), provenance: [{ recordId: 'r', version: 1, category: 'residence', commitment: 'c', salt: 's' }] }).success,
    ).toBe(false);
  });
});
