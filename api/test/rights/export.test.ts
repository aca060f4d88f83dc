import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactVerify, createLocalJWKSet } from 'jose';
import { hexToBytes, leafHash, verifyInclusion, verifyTreeHead } from '@citizen-vault/sdk';
import { commitment } from '../../src/vault/index.js';
import type { ExportBundle } from '../../src/rights/index.js';
import { consentRequest, citizenToken, registerOrganization, requests, startStack, type TestOrganization, type TestStack } from '../stack.js';

const AN = '001099012345';
const BINH = '079188004321';
const CUSTODIAN = 'Sở "Giáo dục" <Hà Nội> & Đào tạo';
const STREET = '<script>alert("x")</script> 12 Phố Huế';

interface Problem {
  code: string;
  status: number;
}

describe('export, end to end: filed, carried out by the worker on the ledger, downloaded as JSON and as a Vietnamese document', () => {
  let stack: TestStack;
  let custodian: TestOrganization;
  let bank: TestOrganization;
  let an: string;
  let binh: string;
  let requestId: string;
  let bundle: ExportBundle;
  let licenceId: string;
  const { call, ok } = requests(() => stack.url);
  const devToken = async (role: string): Promise<string> =>
    (
      (await (
        await fetch(`${stack.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) })
      ).json()) as { access_token: string }
    ).access_token;
  const problem = async (res: Response, status: number, code: string): Promise<void> => {
    const body = await res.text();
    expect(res.status, body).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((JSON.parse(body) as Problem).code).toBe(code);
  };

  beforeAll(async () => {
    stack = await startStack({ exportIntervalMs: 200, rightsRecorderIntervalMs: 300, treeHeadIntervalMs: 200 });
    custodian = await registerOrganization(stack, ['custodian'], CUSTODIAN);
    bank = await registerOrganization(stack, ['consumer'], 'Ngân hàng Số An Tâm');
    an = await citizenToken(stack, AN);
    binh = await citizenToken(stack, BINH);

    const token = await custodian.token();
    await ok(
      await call('/v1/records', token, {
        body: { subject: { nationalId: AN }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: STREET } },
      }),
      201,
    );
    const consent = await ok<{ id: string }>(
      await call('/v1/consents', await bank.token(), {
        body: consentRequest(AN),
      }),
      201,
    );
    await ok(await call(`/v1/consents/${consent.id}/approve`, an, { body: {} }));
    for (let i = 0; i < 3; i++) await ok(await call(`/v1/consents/${consent.id}/data`, await bank.token()));

    // A CONSENTED product the bank licenses and reads An's record through, twice: a licence whose use touched An's data.
    const provider = await registerOrganization(stack, ['provider'], 'Trung tâm Dữ liệu Cư trú');
    const operator = await devToken('operator');
    const product = await ok<{ id: string; termsHash: string }>(
      await call('/v1/products', await provider.token(), {
        body: {
          title: { vi: 'Xác minh nơi cư trú', en: 'Residence check' },
          description: { vi: 'Tỉnh cư trú, với sự đồng ý của công dân.', en: "Province of residence, with the citizen's consent." },
          kind: 'CONSENTED',
          outputSchema: { type: 'object', properties: { 'residence.province': { type: 'string' } } },
          terms: {
            permittedPurposes: ['credit_scoring'],
            durationDays: 365,
            prohibitedActions: ['re_identification', 'resale', 'linkage'],
            crossBorder: false,
            attribution: true,
          },
          plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '1500' }],
          consented: { purpose: 'credit_scoring', fields: ['residence.province'] },
        },
      }),
      201,
    );
    await ok(await call(`/v1/products/${product.id}/submit`, await provider.token(), { body: {} }));
    const listed = await ok<{ termsHash: string }>(await call(`/v1/products/${product.id}/approve`, operator, { body: {} }));
    licenceId = (
      await ok<{ id: string }>(
        await call('/v1/licences', await bank.token(), {
          body: { productId: product.id, planId: 'per-record', purpose: 'credit_scoring', acceptTerms: listed.termsHash },
        }),
        201,
      )
    ).id;
    for (let i = 0; i < 2; i++) await ok(await call(`/v1/products/${product.id}/records/${consent.id}?licenceId=${licenceId}`, await bank.token()));
  }, 90_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('1. until the request is carried out, the download is a 409 problem; then the worker completes it, each step on the ledger', async () => {
    const filed = await ok<{ id: string; state: string }>(await call('/v1/me/rights-requests', an, { body: { kind: 'EXPORT' } }), 201);
    requestId = filed.id;
    // Just filed: carrying it out takes three more ledger transactions, which cannot all be done before this call.
    await problem(await call(`/v1/me/rights-requests/${requestId}/export`, an), 409, 'export_not_ready');

    let state = filed.state;
    for (let i = 0; i < 100 && state !== 'COMPLETED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await ok<{ state: string }>(await call(`/v1/me/rights-requests/${requestId}`, an))).state;
    }
    expect(state).toBe('COMPLETED');
    let history: { action: string; actor: string; ledgerTransactionId: string | null }[] = [];
    for (let i = 0; i < 50; i++) {
      history = (await ok<{ history: typeof history }>(await call(`/v1/me/rights-requests/${requestId}`, an))).history;
      if (history.every((h) => h.ledgerTransactionId)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(history.map((h) => h.action)).toEqual(['file', 'acknowledge', 'start', 'complete']);
    expect(history.every((h) => h.ledgerTransactionId)).toBe(true);
    const onLedger = JSON.parse(Buffer.from(await stack.api.ledger.evaluate('rights', 'GetRightsRequest', requestId)).toString('utf8')) as { state: string }[];
    expect(onLedger.map((s) => s.state)).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'COMPLETED']);
    expect(JSON.stringify(onLedger)).not.toContain(AN);
  });

  it('2. the JSON bundle holds the records with custodian, version, commitment and values; the salt recomputes the commitment', async () => {
    const res = await call(`/v1/me/rights-requests/${requestId}/export?format=json`, an);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.headers.get('cache-control')).toBe('no-store');
    bundle = await ok<ExportBundle>(res);
    expect(bundle).toMatchObject({ format: 'citizen-vault-export/v1', requestId, totals: { records: 1, consents: 1, accessEvents: 5, licences: 1 } });
    const [record] = bundle.records;
    expect(record).toMatchObject({ category: 'residence', version: 1, custodian: { id: custodian.id, name: CUSTODIAN } });
    expect(record!.fields).toEqual({ province: 'Hà Nội', streetAddress: STREET });
    const recomputed = commitment(Buffer.from(record!.salt, 'base64'), {
      recordId: record!.id,
      version: record!.version,
      subjectId: bundle.subjectId,
      category: record!.category,
      fields: record!.fields,
    });
    expect(recomputed).toBe(record!.commitment);
  });

  it('3. consents come with their artefact signed by the vault', async () => {
    const [consent] = bundle.consents;
    expect(consent).toMatchObject({ consumer: { id: bank.id }, status: 'ACTIVE', retentionDays: 30, grantedFields: ['residence.province'] });
    const jwks = (await (await fetch(`${stack.url}/.well-known/jwks.json`)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await compactVerify(consent!.signedArtefact, createLocalJWKSet(jwks));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ status: 'ACTIVE', ledger: { artefactHash: consent!.artefactHash } });
  });

  it("4. each access event's inclusion proof verifies with the SDK against the signed tree head in the bundle, and a changed entry does not", async () => {
    const head = bundle.log.treeHead!;
    const key = (await (await fetch(`${stack.url}/v1/log/public-key`)).json()) as { keyId: string; jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } };
    expect(bundle.log.publicKey).toEqual(key);
    expect(await verifyTreeHead(head, key)).toBe(true);
    expect(bundle.accessEvents).toHaveLength(5); // three reads of the consent, two through the licence
    for (const event of bundle.accessEvents) {
      expect(event).toMatchObject({ consumer: { id: bank.id }, outcome: 'GRANTED', fields: ['residence.province'] });
      expect(JSON.parse(event.logEntry)).toMatchObject({ id: event.id, kind: 'data_read', subjectId: bundle.subjectId });
      const ok = await verifyInclusion(
        await leafHash(event.logEntry),
        event.leafIndex,
        head.treeSize,
        event.inclusionProof.auditPath.map(hexToBytes),
        hexToBytes(head.rootHash),
      );
      expect(ok).toBe(true);
    }
    const forged = bundle.accessEvents[0]!;
    const tampered = forged.logEntry.replace('GRANTED', 'DENIED');
    expect(
      await verifyInclusion(
        await leafHash(tampered),
        forged.leafIndex,
        head.treeSize,
        forged.inclusionProof.auditPath.map(hexToBytes),
        hexToBytes(head.rootHash),
      ),
    ).toBe(false);
  });

  it("5. the licence whose use read An's record is there, with An's share of its revenue", async () => {
    const period = new Date().toISOString().slice(0, 7);
    const earnings = await ok<{ totalDong: string }>(await call(`/v1/me/earnings?period=${period}`, an));
    expect(bundle.licences).toHaveLength(1);
    expect(bundle.licences[0]).toMatchObject({
      licenceId,
      product: { kind: 'CONSENTED', title: { vi: 'Xác minh nơi cư trú' } },
      buyer: { id: bank.id, name: 'Ngân hàng Số An Tâm' },
      purpose: 'credit_scoring',
      uses: 2,
      records: 2,
      earnings: [{ period, records: 2, amountDong: earnings.totalDong }],
      earnedDong: earnings.totalDong,
    });
    expect(BigInt(earnings.totalDong)).toBeGreaterThan(0n);
    expect(bundle.totals.earnedDong).toBe(earnings.totalDong);
  });

  it('6. the HTML document is in Vietnamese, self-contained, and escapes what the bundle holds', async () => {
    const res = await call(`/v1/me/rights-requests/${requestId}/export?format=html`, an);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Dữ liệu cá nhân của tôi');
    expect(html).toContain('Chấm điểm tín dụng'); // the purpose in words
    expect(html).toContain('Xác minh nơi cư trú'); // the licensed product
    expect(html).toContain('Sở &quot;Giáo dục&quot; &lt;Hà Nội&gt; &amp; Đào tạo');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 12 Phố Huế');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/\b(src|href)=/); // nothing fetched
  });

  it("7. another citizen's export is not found, staff cannot download it, and a bad format is a 400", async () => {
    await problem(await call(`/v1/me/rights-requests/${requestId}/export`, binh), 404, 'not_found');
    await problem(await call(`/v1/me/rights-requests/${requestId}/export`, await devToken('operator')), 403, 'forbidden');
    await problem(await call(`/v1/me/rights-requests/${requestId}/export?format=pdf`, an), 400, 'invalid_request');
    await problem(await call(`/v1/me/rights-requests/not-a-uuid/export`, an), 400, 'invalid_request');
  });

  it('8. a request that is not an export has no export, and the worker leaves it alone', async () => {
    const restrict = await ok<{ id: string }>(await call('/v1/me/rights-requests', an, { body: { kind: 'RESTRICT' } }), 201);
    await problem(await call(`/v1/me/rights-requests/${restrict.id}/export`, an), 404, 'not_found');
    await new Promise((r) => setTimeout(r, 600));
    expect((await ok<{ state: string }>(await call(`/v1/me/rights-requests/${restrict.id}`, an))).state).toBe('RECEIVED');
  });
});
