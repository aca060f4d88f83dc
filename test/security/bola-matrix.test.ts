import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenToken, registerOrganization, startStack, type TestOrganization, type TestStack } from '../../api/test/stack.js';

/**
 * Broken object- and function-level authorisation, generated from the OpenAPI document: every
 * documented operation × 11 principals. Each operation is classified below (a new route without a
 * row fails the test); every principal it does not name is called with resources that belong to
 * someone else and must be refused with 401, 403 or 404 — never a 2xx, never a 5xx.
 */
type Who = 'anonymous' | 'invalid' | 'citizenA' | 'citizenB' | 'consumerA' | 'consumerB' | 'providerA' | 'providerB' | 'custodian' | 'auditor' | 'operator';
const EVERYONE: Who[] = [
  'anonymous',
  'invalid',
  'citizenA',
  'citizenB',
  'consumerA',
  'consumerB',
  'providerA',
  'providerB',
  'custodian',
  'auditor',
  'operator',
];
const ORGS: Who[] = ['consumerA', 'consumerB', 'providerA', 'providerB', 'custodian'];
const CITIZENS: Who[] = ['citizenA', 'citizenB'];
const SIGNED_IN: Who[] = EVERYONE.filter((w) => w !== 'anonymous' && w !== 'invalid');

/** Who may reach each operation with the ids below (A's consent, licence, organisation; provider A's draft product). */
const ALLOWED: Record<string, Who[] | 'public'> = {
  'GET /.well-known/jwks.json': 'public',
  'POST /dev/token': 'public',
  'GET /dev/organizations': 'public',
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'public', // counts of what the repair sweep finished; no personal data, as a Prometheus scrape target
  'POST /oauth/token': 'public',
  'GET /auth/login': 'public', // a redirect to the identity provider
  'GET /auth/callback': 'public', // refused without the browser's own sign-in state
  'GET /auth/session': [], // a browser session cookie only: no bearer token opens it
  'POST /auth/logout': 'public', // ends the caller's own session cookie, if any; nothing without one
  'GET /v1/audit/sign-ins': ['auditor', 'operator'],
  'GET /v1/vocabulary': 'public',
  'GET /v1/products': 'public',
  'GET /v1/exchange/stats': 'public',
  'GET /v1/log/sth': 'public',
  'GET /v1/log/public-key': 'public',
  'GET /v1/log/proof/inclusion': 'public',
  'GET /v1/log/proof/consistency': 'public',
  'GET /v1/me': SIGNED_IN,
  'POST /v1/organizations': ['operator'],
  'GET /v1/organizations': ['operator', 'auditor'],
  'POST /v1/organizations/{id}/suspend': ['operator'],
  'GET /v1/organizations/{id}': ['operator', 'auditor', 'consumerA'],
  // An organisation's own identity provider: the operator sets it; the organisation sees its own.
  'PUT /v1/organizations/{id}/sign-in-provider': ['operator'],
  'GET /v1/organizations/{id}/sign-in-provider': ['operator', 'auditor', 'consumerA'],
  'DELETE /v1/organizations/{id}/sign-in-provider': ['operator'],
  'GET /auth/providers': 'public', // names of organisations with their own sign-in, for the sign-in page
  'POST /v1/records': ['custodian'],
  'GET /v1/me/records': CITIZENS,
  'POST /v1/consents': ['consumerA', 'consumerB'],
  'GET /v1/consents': ORGS,
  'GET /v1/consents/{id}': ['consumerA'],
  'GET /v1/me/consents': CITIZENS,
  'POST /v1/consents/{id}/approve': ['citizenA'],
  'POST /v1/consents/{id}/reject': ['citizenA'],
  'POST /v1/consents/{id}/pause': ['citizenA'],
  'POST /v1/consents/{id}/resume': ['citizenA'],
  'POST /v1/consents/{id}/revoke': ['citizenA'],
  'GET /v1/consents/{id}/artefact': ['citizenA', 'consumerA'],
  'GET /v1/consents/{id}/data': ['consumerA'],
  'GET /v1/me/access-events': CITIZENS,
  'POST /v1/webhooks': ORGS,
  'GET /v1/webhooks': ORGS,
  'GET /v1/webhooks/deliveries': ORGS,
  'POST /v1/licences': ['consumerA', 'consumerB'],
  'GET /v1/licences': [...ORGS, 'operator'],
  'GET /v1/licences/{id}': ['consumerA', 'providerA', 'operator'],
  'POST /v1/licences/{id}/cancel': ['consumerA', 'operator'],
  'GET /v1/licences/{id}/usage': ['consumerA', 'providerA', 'operator'],
  'POST /v1/products/{id}/query': ['consumerA'],
  'GET /v1/products/{id}/records/{consentId}': ['consumerA'],
  'POST /v1/products': ['providerA', 'providerB'],
  'GET /v1/products/{id}': ['providerA', 'operator'],
  'POST /v1/products/{id}/submit': ['providerA'],
  'POST /v1/products/{id}/approve': ['operator'],
  'POST /v1/products/{id}/reject': ['operator'],
  'POST /v1/products/{id}/suspend': ['operator'],
  'POST /v1/products/{id}/reinstate': ['operator'],
  'POST /v1/products/{id}/delist': ['operator'],
  'GET /v1/invoices': [...ORGS, 'operator'],
  'POST /v1/invoices/close': ['operator'],
  'GET /v1/me/earnings': CITIZENS,
  'GET /v1/me/preferences': CITIZENS,
  'PUT /v1/me/preferences': CITIZENS,
  'GET /v1/audit/access-events': ['auditor'],
  'GET /v1/audit/consent-events': ['auditor'],
  'GET /v1/audit/ledger/blocks': ['auditor'],
  'GET /v1/audit/log/tree-heads': ['auditor'],
  'GET /v1/audit/log/entries': ['auditor'],
  'GET /v1/audit/reports/access-summary': ['auditor'],
  'GET /v1/audit/reports/consent-stats': ['auditor'],
  'GET /v1/audit/ledger/blocks/{number}': ['auditor'],
  'GET /v1/audit/ledger/transactions/{id}': ['auditor'],
  'GET /v1/audit/ledger/verify': ['auditor'],
  'GET /v1/audit/log/verify': ['auditor'],
  'POST /v1/audit/ledger/rebuild': ['auditor'],
  'POST /v1/me/rights-requests': CITIZENS,
  'GET /v1/me/rights-requests': CITIZENS,
  'GET /v1/me/rights-requests/{id}': ['citizenA'],
  'GET /v1/rights-requests': ['operator'],
  'GET /v1/rights-requests/{id}': ['operator', 'auditor'],
  'POST /v1/rights-requests/{id}/acknowledge': ['operator'],
  'POST /v1/rights-requests/{id}/start': ['operator'],
  'POST /v1/rights-requests/{id}/extend': ['operator'],
  'POST /v1/rights-requests/{id}/complete': ['operator'],
  'POST /v1/rights-requests/{id}/refuse': ['operator'],
  'GET /v1/audit/rights-requests': ['auditor'],
  // Rectification: the citizen's own request; the custodian holding the field works its task.
  'POST /v1/me/rectifications': CITIZENS,
  'GET /v1/me/rectifications/{id}': ['citizenA'],
  'GET /v1/rectification-tasks': ['custodian'],
  'GET /v1/rectification-tasks/{id}': ['custodian'],
  'GET /v1/rectification-tasks/{id}/versions': ['custodian'],
  'POST /v1/rectification-tasks/{id}/accept': ['custodian'],
  'POST /v1/rectification-tasks/{id}/reject': ['custodian'],
  // Exports and retention (issue 15 items 2 and 6).
  'GET /v1/me/rights-requests/{id}/export': ['citizenA'],
  // Erasure, legal holds and restriction: the owner fetches the certificate; the operator acts, auditors look.
  'GET /v1/me/rights-requests/{id}/certificate': ['citizenA'],
  'POST /v1/legal-holds': ['operator'],
  'GET /v1/legal-holds': ['operator', 'auditor'],
  'POST /v1/legal-holds/{id}/lift': ['operator'],
  'GET /v1/rights-requests/{id}/restriction': ['operator', 'auditor'],
  'POST /v1/rights-requests/{id}/lift-restriction': ['operator'],
  'GET /v1/rights-requests/{id}/erasure': ['operator', 'auditor'],
  // KEK rotation: the operator only.
  'GET /v1/vault/kek': ['operator'],
  'POST /v1/vault/kek/rotations': ['operator'],
  'GET /v1/vault/kek/rotations/{id}': ['operator'],
  'POST /v1/vault/kek/versions/{version}/retire': ['operator'],
  'GET /v1/retention/reads': ORGS,
  'POST /v1/retention/reads/{accessEventId}/deletion-confirmation': ORGS,
  'GET /v1/me/retention': CITIZENS,
  'GET /v1/audit/retention': ['auditor'],
  // Passkeys (issue 17 item 3).
  'GET /v1/me/passkeys': CITIZENS,
  'POST /v1/me/passkeys/registration-options': CITIZENS,
  'POST /v1/me/passkeys': CITIZENS,
  'DELETE /v1/me/passkeys/{credentialId}': CITIZENS,
  'POST /v1/consents/{id}/decision-challenge': ['citizenA'],
  'POST /v1/consents/{id}/signed-decision': ['citizenA'],
  'GET /v1/me/consent-decisions': CITIZENS,
  'GET /v1/me/consents/{id}/evidence': ['citizenA'],
  'GET /v1/audit/passkey-events': ['auditor', 'operator'],
  // The breach register: the operator keeps it, the auditor reads it, a citizen reads only their own notices.
  'POST /v1/breaches': ['operator'],
  'GET /v1/breaches': ['operator'],
  'GET /v1/breaches/{id}': ['operator', 'auditor'],
  'POST /v1/breaches/{id}/update': ['operator'],
  'POST /v1/breaches/{id}/close': ['operator'],
  'GET /v1/breaches/{id}/authority-form': ['operator', 'auditor'],
  'GET /v1/audit/breaches': ['auditor'],
  'GET /v1/me/breach-notices': CITIZENS,
  // Versioned notices: texts anyone signed in may read; the operator publishes any, an organisation its own; a citizen's re-consents.
  'GET /v1/notices': SIGNED_IN,
  'GET /v1/notices/{kind}/{key}': SIGNED_IN,
  'GET /v1/notices/{kind}/{key}/{version}': SIGNED_IN,
  'POST /v1/notices/{kind}/{key}': ['operator', 'consumerA'],
  'GET /v1/me/reconsents': CITIZENS,
};

const CITIZEN_A = '001099066001';
const CITIZEN_B = '001099066002';
const consentedProduct = {
  title: { vi: 'Xác minh nơi cư trú', en: 'Residence check' },
  description: { vi: 'Tỉnh cư trú, với sự đồng ý của công dân.', en: "Province of residence, with the citizen's consent." },
  kind: 'CONSENTED',
  outputSchema: { type: 'object', properties: { 'residence.province': { type: 'string' } } },
  terms: {
    permittedPurposes: ['credit_scoring'],
    durationDays: 365,
    prohibitedActions: ['re_identification', 'resale'],
    crossBorder: false,
    attribution: true,
  },
  plans: [{ id: 'per-record', kind: 'PER_RECORD', priceDong: '1500' }],
  consented: { purpose: 'credit_scoring', fields: ['residence.province'] },
};

describe('BOLA matrix: every documented operation × 11 principals', () => {
  let stack: TestStack;
  const tokens = {} as Record<Who, string | undefined>;
  const ids = {
    consent: '',
    licence: '',
    organization: '',
    draft: '',
    transaction: '',
    rightsRequest: '',
    rectification: '',
    rectificationTask: '',
    breach: '',
  };
  const bodies: Record<string, unknown> = {};

  beforeAll(async () => {
    stack = await startStack();
    const [consumerA, consumerB, providerA, providerB, custodian] = (await Promise.all([
      registerOrganization(stack, ['consumer'], 'Consumer A'),
      registerOrganization(stack, ['consumer'], 'Consumer B'),
      registerOrganization(stack, ['provider'], 'Provider A'),
      registerOrganization(stack, ['provider'], 'Provider B'),
      registerOrganization(stack, ['custodian'], 'Custodian'),
    ])) as TestOrganization[];
    const dev = async (body: unknown) =>
      (
        (await (
          await fetch(stack.url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        ).json()) as { access_token: string }
      ).access_token;
    Object.assign(tokens, {
      anonymous: undefined,
      invalid: 'eyJhbGciOiJFUzI1NiJ9.eyJyb2xlIjoib3BlcmF0b3IifQ.c2lnbmF0dXJl',
      citizenA: await citizenToken(stack, CITIZEN_A),
      citizenB: await citizenToken(stack, CITIZEN_B),
      consumerA: await consumerA!.token(),
      consumerB: await consumerB!.token(),
      providerA: await providerA!.token(),
      providerB: await providerB!.token(),
      custodian: await custodian!.token(),
      auditor: await dev({ role: 'auditor' }),
      operator: await dev({ role: 'operator' }),
    });
    const post = async (path: string, who: Who, body: unknown, status = 201) => {
      const res = await fetch(stack.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      expect(res.status, `${path} ${text}`).toBe(status);
      return JSON.parse(text) as { id: string; termsHash: string };
    };
    const deposit = { subject: { nationalId: CITIZEN_A }, category: 'residence', fields: { province: 'Hà Nội', streetAddress: '1 Phố Thử' } };
    await post('/v1/records', 'custodian', deposit);
    const consentBody = {
      subject: { nationalId: CITIZEN_A },
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      mode: 'ONCE',
      validUntil: new Date(Date.now() + 86400_000).toISOString(),
      retentionDays: 30,
      justification: 'Thẩm định hồ sơ vay',
    };
    ids.consent = (await post('/v1/consents', 'consumerA', consentBody)).id;
    const listed = await post('/v1/products', 'providerA', consentedProduct);
    await post(`/v1/products/${listed.id}/submit`, 'providerA', {}, 200);
    const approved = await post(`/v1/products/${listed.id}/approve`, 'operator', {}, 200);
    const licenceBody = { productId: listed.id, planId: 'per-record', purpose: 'credit_scoring', acceptTerms: approved.termsHash };
    ids.licence = (await post('/v1/licences', 'consumerA', licenceBody)).id;
    ids.draft = (await post('/v1/products', 'providerA', consentedProduct)).id;
    ids.organization = consumerA!.id;
    ids.rightsRequest = (await post('/v1/me/rights-requests', 'citizenA', { kind: 'EXPORT' })).id;
    const rectification = (await post('/v1/me/rectifications', 'citizenA', { corrections: { 'residence.province': 'Hải Dương' } })) as unknown as {
      request: { id: string };
      tasks: { id: string }[];
    };
    ids.rectification = rectification.request.id;
    ids.rectificationTask = rectification.tasks[0]!.id;
    const breachBody = {
      summary: 'Matrix test',
      detectedAt: new Date().toISOString(),
      dataCategories: ['residence'],
      consumerOrgIds: [consumerA!.id],
      fields: ['residence.province'],
      window: { from: new Date(Date.now() - 86400_000).toISOString(), to: new Date().toISOString() },
    };
    ids.breach = (await post('/v1/breaches', 'operator', breachBody)).id;
    const [tx] = await stack.api.sql<{ transaction_id: string }[]>`select transaction_id from ledger_transactions order by block_number desc limit 1`;
    ids.transaction = tx?.transaction_id ?? '0'.repeat(64);
    // Bodies that pass validation, so a refusal comes from authorisation, not from a malformed request.
    Object.assign(bodies, {
      'POST /v1/organizations': { name: 'Intruder', registrationNumber: '9999999999', roles: ['consumer'], jwks: { keys: [] } },
      'POST /v1/records': deposit,
      'POST /v1/consents': consentBody,
      'POST /v1/licences': licenceBody,
      'POST /v1/products': consentedProduct,
      'POST /v1/products/{id}/query': { licenceId: ids.licence, groupBy: ['province'] },
      'POST /v1/products/{id}/reject': { reason: 'other' },
      'POST /v1/webhooks': { url: 'https://example.com/hooks' },
      'PUT /v1/me/preferences': { statisticsOptOut: true },
      'POST /v1/invoices/close': { period: '2020-01' },
      'POST /v1/me/rights-requests': { kind: 'ERASE' },
      'POST /v1/rights-requests/{id}/extend': { days: 5, reason: 'COMPLEX_REQUEST' },
      'POST /v1/rights-requests/{id}/refuse': { reason: 'LEGAL_OBLIGATION' },
      'POST /v1/me/rectifications': { corrections: { 'residence.province': 'Hải Dương' } },
      'POST /v1/rectification-tasks/{id}/reject': { reason: 'LEGAL_OBLIGATION' },
      'POST /v1/consents/{id}/decision-challenge': { action: 'approve' },
      'POST /v1/consents/{id}/signed-decision': {
        response: {
          id: 'AAAA',
          rawId: 'AAAA',
          type: 'public-key',
          response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' },
          clientExtensionResults: {},
        },
      },
      'POST /v1/breaches': breachBody,
      'POST /v1/breaches/{id}/update': { summary: 'Changed by an intruder' },
      'POST /v1/breaches/{id}/close': { measures: 'Closed by an intruder', authorityNotifiedAt: new Date().toISOString() },
      'POST /v1/notices/{kind}/{key}': { text: { vi: 'Thông báo của kẻ xâm nhập', en: "An intruder's notice" }, material: true, rule: 'pause' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('classifies every documented operation, and refuses every principal it does not name', async () => {
    const doc = (await (await fetch(stack.url + '/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, secured: Boolean(op.security?.length) })),
    );
    expect(operations.length).toBeGreaterThan(60);
    expect(
      operations.filter((o) => !(o.key in ALLOWED)).map((o) => o.key),
      'operations without a row in ALLOWED',
    ).toEqual([]);

    const failures: string[] = [];
    let cases = 0;
    for (const op of operations) {
      const allowed = ALLOWED[op.key]!;
      if (allowed === 'public') continue;
      const path = op.path
        .replace('/v1/consents/{id}', `/v1/consents/${ids.consent}`)
        .replace('/v1/me/consents/{id}', `/v1/me/consents/${ids.consent}`)
        .replace('/v1/licences/{id}', `/v1/licences/${ids.licence}`)
        .replace('/v1/organizations/{id}', `/v1/organizations/${ids.organization}`)
        .replace('/v1/products/{id}', `/v1/products/${ids.draft}`)
        .replace('{consentId}', ids.consent)
        .replace('{number}', '0')
        .replace('/transactions/{id}', `/transactions/${ids.transaction}`)
        .replace('/rights-requests/{id}', `/rights-requests/${ids.rightsRequest}`)
        .replace('/rectifications/{id}', `/rectifications/${ids.rectification}`)
        .replace('/rectification-tasks/{id}', `/rectification-tasks/${ids.rectificationTask}`)
        .replace('/v1/breaches/{id}', `/v1/breaches/${ids.breach}`)
        .replace('{kind}/{key}', `organization/${ids.organization}`)
        .replace('{version}', '1');
      const query = op.path.endsWith('/records/{consentId}') ? `?licenceId=${ids.licence}` : '';
      for (const who of EVERYONE.filter((w) => !allowed.includes(w))) {
        cases++;
        const body = op.method === 'get' ? undefined : JSON.stringify(bodies[op.key] ?? {});
        const res = await fetch(stack.url + path + query, {
          method: op.method.toUpperCase(),
          headers: { ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body } : {}),
        });
        const text = await res.text();
        const expected = op.secured && (who === 'anonymous' || who === 'invalid') ? [401] : [401, 403, 404];
        if (!expected.includes(res.status)) failures.push(`${op.key} as ${who}: ${res.status} ${text.slice(0, 160)}`);
      }
    }
    console.info(`BOLA matrix: ${operations.length} operations, ${cases} refusal cases, ${failures.length} reached`);
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(400);
  }, 120_000);
});
