import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { blockTransactions } from '@citizen-vault/network';
import { gatewayFor } from '../../network/test/helpers.js';
import { LEDGER, committedOn, testLedger, type TestLedger } from '../../network/test/ledger.js';
import { expectRefusal, json } from './gateway-answers.js';
import { consistencyProof, mth, testLog } from '../../chaincode/test/merkle-tree.js';

const CHAINCODE = resolve(import.meta.dirname, '../../chaincode');

const id = (n: number): string => `01935c7e-${String(n).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`;
const ORG = { operator: id(1), bank: id(2), startup: id(3), custodian: id(4), provider: id(5) };

/** What the vault knows about a test citizen off the ledger; none of it may ever reach the ledger. */
const CITIZENS = [
  { subjectId: id(101), fullName: 'Nguyễn Văn An', nationalId: '001099012345', phone: '0912345678', email: 'an.nguyen@example.vn' },
  { subjectId: id(102), fullName: 'Trần Thị Bình', nationalId: '079188004321', phone: '+84987654321', email: 'binh.tran@example.vn' },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric), where it gets a chaincode namespace of its own.
describe(`Citizen Vault chaincode on the ${LEDGER}`, () => {
  let ledger: TestLedger;
  let CC = 'citizen-vault';
  let MSP1 = 'Org1MSP';
  let MSP2 = 'Org2MSP';
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org1Admin: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let net1: Network;
  let net2: Network;
  const as1 = (contract: string): Contract => net1.getContract(CC, contract);
  const as2 = (contract: string): Contract => net2.getContract(CC, contract);
  // A commit status says only that the submitter's own peer has the block; on Fabric the other
  // organisation's peer, which endorses the next step, may still be committing it. Wait for both.
  const submitOn = async (net: Network, contract: string, fn: string, args: string[]) => {
    const commit = await net.getContract(CC, contract).submitAsync(fn, { arguments: args });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`${fn} was not committed: validation code ${status.code}`);
    await Promise.all([net1, net2].map((n) => committedOn(n, Number(status.blockNumber))));
    return json(commit.getResult());
  };
  const submit1 = async (contract: string, fn: string, ...args: string[]) => submitOn(net1, contract, fn, args);
  const submit2 = async (contract: string, fn: string, ...args: string[]) => submitOn(net2, contract, fn, args);
  const query = async (contract: string, fn: string, ...args: string[]) => json(await as1(contract).evaluateTransaction(fn, ...args));

  const consentRequest = (n: number, overrides: Record<string, unknown> = {}) => ({
    id: id(200 + n),
    subjectId: CITIZENS[n % 2]!.subjectId,
    consumerOrgId: ORG.bank,
    purpose: 'credit_scoring',
    requestedFields: ['identity.fullName', 'residence.province', 'tax.incomeBracket'],
    accessMode: { mode: 'PERIODIC', limit: 2, per: 'DAY' },
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 30 * 24 * 3600_000).toISOString(),
    retentionDays: 30,
    onwardTransfer: false,
    crossBorder: false,
    artefactHash: 'a'.repeat(64),
    ...overrides,
  });
  const useOf = (consentId: string, overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      consentId,
      consumerOrgId: ORG.bank,
      purpose: 'credit_scoring',
      fields: ['residence.province'],
      at: new Date().toISOString(),
      ...overrides,
    });

  beforeAll(async () => {
    ledger = await testLedger([{ name: CC, path: CHAINCODE }]);
    CC = ledger.cc(CC);
    [MSP1, MSP2] = ledger.msp as [string, string];
    org1 = await gatewayFor(ledger, { org: 0 });
    org1Admin = await gatewayFor(ledger, { org: 0, user: 'Admin' });
    org2 = await gatewayFor(ledger, { org: 1 });
    net1 = org1.gateway.getNetwork(ledger.channel);
    net2 = org2.gateway.getNetwork(ledger.channel);
  });

  afterAll(async () => {
    org1?.close();
    org1Admin?.close();
    org2?.close();
    await ledger?.close();
  });

  it('opens the exchange: the first operator registers itself, then only the operator registers organisations', async () => {
    const register = (o: object) => JSON.stringify(o);
    await expectRefusal(
      as2('organizations').submitTransaction('RegisterOrganization', register({ id: ORG.bank, mspId: MSP2, roles: ['consumer'] })),
      'forbidden',
    );
    const opening = register({ id: ORG.operator, mspId: MSP1, roles: ['operator', 'auditor'] });
    await expectRefusal(as1('organizations').submitTransaction('RegisterOrganization', opening), 'forbidden'); // a client, not an admin
    const adminOrgs = org1Admin.gateway.getNetwork(ledger.channel).getContract(CC, 'organizations');
    const operator = json(await adminOrgs.submitTransaction('RegisterOrganization', opening));
    expect(operator).toMatchObject({ status: 'VERIFIED', roles: ['auditor', 'operator'] });
    // A second "first operator" through another MSP is refused: the exchange is open already.
    await expectRefusal(as2('organizations').submitTransaction('RegisterOrganization', register({ id: id(9), mspId: MSP2, roles: ['operator'] })), 'forbidden');
    await submit1('organizations', 'RegisterOrganization', register({ id: ORG.bank, mspId: MSP2, roles: ['consumer'] }));
    await submit1('organizations', 'RegisterOrganization', register({ id: ORG.startup, mspId: MSP1, roles: ['consumer'] }));
    await submit1('organizations', 'RegisterOrganization', register({ id: ORG.custodian, mspId: MSP2, roles: ['custodian'] }));
    await submit1('organizations', 'RegisterOrganization', register({ id: ORG.provider, mspId: MSP2, roles: ['provider'] }));
    await expectRefusal(
      as1('organizations').submitTransaction('RegisterOrganization', register({ id: ORG.bank, mspId: MSP2, roles: ['consumer'] })),
      'already_exists',
    );
    await expectRefusal(as1('organizations').submitTransaction('SuspendOrganization', ORG.operator), 'illegal_transition'); // the last operator
    await expectRefusal(as2('organizations').submitTransaction('SuspendOrganization', ORG.bank), 'forbidden');
    const consumers = await query('organizations', 'ListOrganizationsByRole', 'consumer', '10', '');
    expect(consumers.items.map((o: { id: string }) => o.id).sort()).toEqual([ORG.bank, ORG.startup].sort());
  });

  it('runs the consent lifecycle, each step only by the organisation allowed to take it', async () => {
    const request = consentRequest(1);
    await expectRefusal(as1('consent').submitTransaction('RequestConsent', JSON.stringify(request)), 'forbidden'); // Org1 is not the bank's MSP
    const requested = await submit2('consent', 'RequestConsent', JSON.stringify(request));
    expect(requested).toMatchObject({ status: 'REQUESTED', consumerOrgId: ORG.bank, consumerMspId: MSP2, grantedFields: [] });
    expect(await query('consent', 'GetConsent', request.id)).toEqual(requested);
    await expectRefusal(as2('consent').submitTransaction('RequestConsent', JSON.stringify(request)), 'already_exists');

    await expectRefusal(as2('consent').submitTransaction('ApproveConsent', request.id, ''), 'forbidden'); // the consumer cannot approve
    const approved = await submit1('consent', 'ApproveConsent', request.id, JSON.stringify(['residence.province', 'tax.incomeBracket']));
    expect(approved).toMatchObject({ status: 'ACTIVE', grantedFields: ['residence.province', 'tax.incomeBracket'] });
    expect(approved.decidedAt).toBeDefined();
    await expectRefusal(as1('consent').submitTransaction('ApproveConsent', request.id, ''), 'illegal_transition');

    expect((await submit1('consent', 'PauseConsent', request.id)).status).toBe('PAUSED');
    await expectRefusal(as2('consent').submitTransaction('ResumeConsent', request.id), 'forbidden');
    expect((await submit1('consent', 'ResumeConsent', request.id)).status).toBe('ACTIVE');
    await expectRefusal(as2('consent').submitTransaction('RevokeConsent', request.id), 'forbidden');
    expect((await submit1('consent', 'RevokeConsent', request.id)).status).toBe('REVOKED');
    await expectRefusal(as1('consent').submitTransaction('ResumeConsent', request.id), 'illegal_transition');

    await expectRefusal(as1('consent').evaluateTransaction('GetConsent', id(299)), 'not_found');
    const history = await query('audit', 'GetHistory', 'consent', request.id);
    expect(history.map((h: { value: { status: string } }) => h.value.status)).toEqual(['REQUESTED', 'ACTIVE', 'PAUSED', 'ACTIVE', 'REVOKED']);
    expect(history.every((h: { txId: string }) => /^[0-9a-f]{64}$/.test(h.txId))).toBe(true);

    const rejected = consentRequest(2);
    await submit2('consent', 'RequestConsent', JSON.stringify(rejected));
    expect((await submit1('consent', 'RejectConsent', rejected.id)).status).toBe('REJECTED');
  });

  it('emits an event for every transition', async () => {
    const events = await net1.getChaincodeEvents(CC, { startBlock: 0n });
    const names: string[] = [];
    for await (const e of events) {
      if (e.eventName.startsWith('Consent')) names.push(e.eventName);
      if (names.length === 7) break;
    }
    events.close();
    expect(names).toEqual(['ConsentRequested', 'ConsentApproved', 'ConsentPaused', 'ConsentResumed', 'ConsentRevoked', 'ConsentRequested', 'ConsentRejected']);
  });

  it('answers the use check with the reason for a denial', async () => {
    const c = consentRequest(3);
    await submit2('consent', 'RequestConsent', JSON.stringify(c));
    expect(await query('consent', 'CheckUse', useOf(c.id))).toMatchObject({ allowed: false, reason: 'not_active' });
    await submit1('consent', 'ApproveConsent', c.id, JSON.stringify(['residence.province']));
    expect(await query('consent', 'CheckUse', useOf(c.id))).toEqual({ allowed: true });
    expect(await query('consent', 'CheckUse', useOf(c.id, { purpose: 'marketing' }))).toMatchObject({ reason: 'purpose_mismatch' });
    expect(await query('consent', 'CheckUse', useOf(c.id, { fields: ['tax.incomeBracket'] }))).toMatchObject({ reason: 'field_not_granted' });
    expect(await query('consent', 'CheckUse', useOf(c.id, { consumerOrgId: ORG.startup }))).toMatchObject({ reason: 'wrong_consumer' });
    expect(await query('consent', 'CheckUse', useOf(c.id, { at: new Date(Date.now() - 3_600_000).toISOString() }))).toMatchObject({ reason: 'not_yet_valid' });
  });

  it('checks and counts each use in one transaction, up to the frequency limit', async () => {
    const c = consentRequest(4);
    await submit2('consent', 'RequestConsent', JSON.stringify(c));
    await submit1('consent', 'ApproveConsent', c.id, '');
    const at = new Date().toISOString();
    await expectRefusal(as2('consent').submitTransaction('ConsumeUse', useOf(c.id, { at })), 'forbidden');
    expect(await submit1('consent', 'ConsumeUse', useOf(c.id, { at }))).toMatchObject({ allowed: true, count: 1 });
    expect(await query('consent', 'CheckUse', useOf(c.id, { at }))).toEqual({ allowed: true });
    expect(await submit1('consent', 'ConsumeUse', useOf(c.id, { at }))).toMatchObject({ allowed: true, count: 2 });
    expect(await submit1('consent', 'ConsumeUse', useOf(c.id, { at }))).toMatchObject({ allowed: false, reason: 'frequency_exceeded' });
    expect(await query('consent', 'CheckUse', useOf(c.id, { at }))).toMatchObject({ allowed: false, reason: 'frequency_exceeded' });
    // A denied use is not counted, and a revoked consent is never used again.
    await submit1('consent', 'RevokeConsent', c.id);
    expect(await submit1('consent', 'ConsumeUse', useOf(c.id, { at }))).toMatchObject({ allowed: false, reason: 'not_active' });
  });

  it('lets two concurrent uses of the last allowance commit only once', async () => {
    const c = consentRequest(6, { accessMode: { mode: 'ONCE' } });
    await submit2('consent', 'RequestConsent', JSON.stringify(c));
    await submit1('consent', 'ApproveConsent', c.id, '');
    const use = useOf(c.id);
    const a = await as1('consent')
      .newProposal('ConsumeUse', { arguments: [use] })
      .endorse();
    const b = await as1('consent')
      .newProposal('ConsumeUse', { arguments: [use] })
      .endorse();
    const [sa, sb] = await Promise.all([a.submit(), b.submit()]);
    const codes = (await Promise.all([sa.getStatus(), sb.getStatus()])).map((s) => s.code).sort();
    expect(codes).toEqual([0, 11]); // one VALID, one MVCC_READ_CONFLICT
    expect(await query('consent', 'CheckUse', use)).toMatchObject({ allowed: false, reason: 'frequency_exceeded' });
  });

  it('expires a consent by transaction time, not before', async () => {
    const c = consentRequest(5, { validUntil: new Date(Date.now() + 2_500).toISOString() });
    await submit2('consent', 'RequestConsent', JSON.stringify(c));
    await submit1('consent', 'ApproveConsent', c.id, '');
    await expectRefusal(as2('consent').submitTransaction('ExpireConsent', c.id), 'illegal_transition');
    await sleep(Date.parse(c.validUntil) - Date.now() + 200);
    expect(await query('consent', 'CheckUse', useOf(c.id))).toMatchObject({ allowed: false, reason: 'expired' });
    const expired = await submit2('consent', 'ExpireConsent', c.id); // the consumer may record that time has run out
    expect(expired.status).toBe('EXPIRED');
    expect(Date.parse(expired.updatedAt)).toBeGreaterThanOrEqual(Date.parse(c.validUntil));
  });

  it('lists consents by subject, consumer and status, a page at a time', async () => {
    const subject = CITIZENS[1]!.subjectId;
    const first = await query('consent', 'ListConsentsBySubject', subject, '1', '');
    expect(first.items).toHaveLength(1);
    expect(first.bookmark).not.toBe('');
    const rest = await query('consent', 'ListConsentsBySubject', subject, '100', first.bookmark);
    const all = [...first.items, ...rest.items];
    expect(all.every((c: { subjectId: string }) => c.subjectId === subject)).toBe(true);
    expect(new Set(all.map((c: { id: string }) => c.id)).size).toBe(all.length);

    const byBank = await query('consent', 'ListConsentsByConsumer', ORG.bank, '100', '');
    expect(byBank.items.length).toBeGreaterThanOrEqual(5);
    const revoked = await query('consent', 'ListConsentsByStatus', 'REVOKED', '100', '');
    expect(revoked.items.map((c: { id: string }) => c.id)).toEqual([id(201), id(204)]);
    const active = await query('consent', 'ListConsentsByStatus', 'ACTIVE', '100', '');
    expect(active.items.every((c: { status: string }) => c.status === 'ACTIVE')).toBe(true);
    await expectRefusal(as1('consent').evaluateTransaction('ListConsentsByStatus', 'MAYBE', '10', ''), 'invalid_argument');
  });

  it('anchors record commitments for their custodian only, in version order, and verifies them', async () => {
    const commitment = (version: number, hash: string) =>
      JSON.stringify({
        recordId: id(300),
        version,
        subjectId: CITIZENS[0]!.subjectId,
        category: 'health_insurance',
        custodianOrgId: ORG.custodian,
        commitment: hash,
      });
    await expectRefusal(as1('commitments').submitTransaction('AnchorCommitment', commitment(1, '1'.repeat(64))), 'forbidden');
    await expectRefusal(
      as2('commitments').submitTransaction('AnchorCommitment', commitment(1, '1'.repeat(64)).replace('health_insurance', 'nguyen_van_an')),
      'invalid_argument',
    );
    await expectRefusal(as2('commitments').submitTransaction('AnchorCommitment', commitment(2, '2'.repeat(64))), 'invalid_argument');
    await submit2('commitments', 'AnchorCommitment', commitment(1, '1'.repeat(64)));
    await submit2('commitments', 'AnchorCommitment', commitment(2, '2'.repeat(64)));
    await expectRefusal(as2('commitments').submitTransaction('AnchorCommitment', commitment(2, '3'.repeat(64))), 'already_exists');
    expect(await query('commitments', 'GetCommitment', id(300), '2')).toMatchObject({
      commitment: '2'.repeat(64),
      category: 'health_insurance',
      custodianOrgId: ORG.custodian,
    });
    expect(await query('commitments', 'VerifyCommitment', id(300), '2', '2'.repeat(64))).toMatchObject({ matches: true, custodianOrgId: ORG.custodian });
    expect(await query('commitments', 'VerifyCommitment', id(300), '2', '9'.repeat(64))).toMatchObject({ matches: false });
    const listed = await query('commitments', 'ListCommitmentsBySubject', CITIZENS[0]!.subjectId, '10', '');
    expect(listed.items.map((c: { version: number }) => c.version)).toEqual([1, 2]);
    const history = await query('audit', 'GetCommitmentHistory', id(300), '1');
    expect(history).toHaveLength(1);
  });

  it('lists a product only after operator approval, and licenses it only to verified buyers for permitted purposes', async () => {
    const product = {
      id: id(400),
      providerOrgId: ORG.provider,
      kind: 'AGGREGATE',
      terms: {
        permittedPurposes: ['academic_research'],
        durationDays: 365,
        prohibitedActions: ['re_identification', 'resale'],
        crossBorder: false,
        attribution: true,
        quota: { units: 1000, per: 'MONTH' },
      },
      plans: [{ id: 'per-query', kind: 'PAY_PER_QUERY', priceDong: '20000' }],
      descriptionHash: 'd'.repeat(64),
    };
    await expectRefusal(as2('products').submitTransaction('CreateProduct', JSON.stringify(product)), 'invalid_argument'); // no minimum cohort size
    const withCohort = { ...product, terms: { ...product.terms, minCohortSize: 10 } };
    await expectRefusal(as1('products').submitTransaction('CreateProduct', JSON.stringify(withCohort)), 'forbidden');
    const draft = await submit2('products', 'CreateProduct', JSON.stringify(withCohort));
    expect(draft).toMatchObject({ status: 'DRAFT' });
    expect(draft.termsHash).toMatch(/^[0-9a-f]{64}$/);

    const licence = {
      id: id(500),
      productId: product.id,
      planId: 'per-query',
      buyerOrgId: ORG.startup,
      purpose: 'academic_research',
      validFrom: new Date().toISOString(),
      validUntil: new Date(Date.now() + 90 * 24 * 3600_000).toISOString(),
    };
    await expectRefusal(as1('licences').submitTransaction('IssueLicence', JSON.stringify(licence)), 'product_not_listed');
    await expectRefusal(as1('products').submitTransaction('SubmitProduct', product.id), 'forbidden'); // only its provider submits
    await submit2('products', 'SubmitProduct', product.id);
    await expectRefusal(as2('products').submitTransaction('ApproveProduct', product.id), 'forbidden'); // only the operator approves
    await expectRefusal(as1('products').submitTransaction('RejectProduct', product.id, 'Ông An nói không'), 'invalid_argument');
    expect(await submit1('products', 'RejectProduct', product.id, 'unclear_terms')).toMatchObject({ status: 'DRAFT', rejectionReason: 'unclear_terms' });
    await submit2('products', 'SubmitProduct', product.id);
    expect((await submit1('products', 'ApproveProduct', product.id)).status).toBe('LISTED');
    expect((await query('products', 'ListProductsByStatus', 'LISTED', '10', '')).items.map((p: { id: string }) => p.id)).toEqual([product.id]);

    await expectRefusal(as1('licences').submitTransaction('IssueLicence', JSON.stringify({ ...licence, purpose: 'marketing' })), 'purpose_not_permitted');
    await expectRefusal(as1('licences').submitTransaction('IssueLicence', JSON.stringify({ ...licence, planId: 'gold' })), 'plan_not_found');
    await expectRefusal(as1('licences').submitTransaction('IssueLicence', JSON.stringify({ ...licence, buyerOrgId: ORG.custodian })), 'buyer_not_verified');
    await expectRefusal(as2('licences').submitTransaction('IssueLicence', JSON.stringify(licence)), 'forbidden'); // Org2 cannot buy for the start-up
    const issued = await submit1('licences', 'IssueLicence', JSON.stringify(licence));
    expect(issued).toMatchObject({ status: 'ACTIVE', termsHash: draft.termsHash, quota: { units: 1000, per: 'MONTH' } });
    expect(await query('licences', 'GetLicence', licence.id)).toEqual(issued);
    expect(await query('products', 'GetProduct', product.id)).toMatchObject({ status: 'LISTED', termsHash: draft.termsHash });

    const use = (o: object = {}) => JSON.stringify({ purpose: 'academic_research', at: new Date().toISOString(), units: 1, usedUnits: 0, ...o });
    expect(await query('licences', 'CheckLicenceUse', licence.id, use())).toEqual({ allowed: true });
    expect(await query('licences', 'CheckLicenceUse', licence.id, use({ actions: ['resale'] }))).toMatchObject({ reason: 'action_prohibited' });
    expect(await query('licences', 'CheckLicenceUse', licence.id, use({ usedUnits: 1000 }))).toMatchObject({ reason: 'quota_exceeded' });

    await submit1('licences', 'AnchorStatement', JSON.stringify({ licenceId: licence.id, period: '2026-11', units: 12, amountDong: '240000' }));
    await expectRefusal(
      as1('licences').submitTransaction('AnchorStatement', JSON.stringify({ licenceId: licence.id, period: '2026-11', units: 1, amountDong: '1' })),
      'already_exists',
    );
    await expectRefusal(
      as2('licences').submitTransaction('AnchorStatement', JSON.stringify({ licenceId: licence.id, period: '2026-12', units: 1, amountDong: '1' })),
      'forbidden',
    );
    expect(await query('licences', 'GetStatement', licence.id, '2026-11')).toMatchObject({ units: 12, amountDong: '240000' });
    expect((await query('licences', 'ListLicencesByProduct', product.id, '10', '')).items.map((l: { id: string }) => l.id)).toEqual([licence.id]);
    expect((await query('licences', 'ListLicencesByBuyer', ORG.startup, '10', '')).items.map((l: { id: string }) => l.id)).toEqual([licence.id]);

    await submit1('organizations', 'SuspendOrganization', ORG.startup);
    await expectRefusal(as1('licences').submitTransaction('IssueLicence', JSON.stringify({ ...licence, id: id(501) })), 'buyer_not_verified');
    await submit1('organizations', 'ReinstateOrganization', ORG.startup);
    expect((await submit1('licences', 'CancelLicence', licence.id)).status).toBe('CANCELLED');
    expect(await query('licences', 'CheckLicenceUse', licence.id, use())).toMatchObject({ reason: 'licence_not_active' });
    const licenceHistory = await query('audit', 'GetHistory', 'licence', licence.id);
    expect(licenceHistory.map((h: { value: { status: string } }) => h.value.status)).toEqual(['ACTIVE', 'CANCELLED']);
    const orgHistory = await query('audit', 'GetHistory', 'organization', ORG.startup);
    expect(orgHistory.map((h: { value: { status: string } }) => h.value.status)).toEqual(['VERIFIED', 'SUSPENDED', 'VERIFIED']);
    const productHistory = await query('audit', 'GetHistory', 'product', product.id);
    expect(productHistory.map((h: { value: { status: string } }) => h.value.status)).toEqual(['DRAFT', 'PENDING_REVIEW', 'DRAFT', 'PENDING_REVIEW', 'LISTED']);
  });

  it('keeps access-log tree heads append-only and monotonic in size', async () => {
    const log = testLog(40);
    const head = (treeSize: number, leaves = log, from?: number) =>
      JSON.stringify({
        treeSize,
        rootHash: mth(leaves.slice(0, treeSize)).toString('hex'),
        timestamp: new Date().toISOString(),
        keyId: 'log-2026-11',
        signature: 'c2lnbmF0dXJlLW9mLXRoZS10cmVlLWhlYWQ',
        ...(from ? { consistencyProof: consistencyProof(from, leaves.slice(0, treeSize)).map((h) => h.toString('hex')) } : {}),
      });
    await expectRefusal(as2('anchors').submitTransaction('AnchorTreeHead', head(10)), 'forbidden');
    expect((await submit1('anchors', 'AnchorTreeHead', head(10))).sequence).toBe(1);
    expect((await submit1('anchors', 'AnchorTreeHead', head(25, log, 10))).sequence).toBe(2);
    expect((await submit1('anchors', 'AnchorTreeHead', head(25, log, 10))).sequence).toBe(2); // the same head again: no-op
    await expectRefusal(as1('anchors').submitTransaction('AnchorTreeHead', head(20, log, 10)), 'anchor_not_monotonic');
    await expectRefusal(as1('anchors').submitTransaction('AnchorTreeHead', head(25, testLog(25, 'x'))), 'anchor_not_monotonic');
    // A larger head of a rewritten log, with a proof that holds for its own tree only: refused.
    await expectRefusal(as1('anchors').submitTransaction('AnchorTreeHead', head(30, testLog(30, 'x'), 25)), 'anchor_not_consistent');
    await expectRefusal(as1('anchors').submitTransaction('AnchorTreeHead', head(30)), 'anchor_not_consistent');
    expect(await query('anchors', 'GetLatestTreeHead')).toMatchObject({ treeSize: 25, sequence: 2 });
    expect((await query('anchors', 'ListTreeHeads', '10', '')).items.map((h: { treeSize: number }) => h.treeSize)).toEqual([10, 25]);
  });

  it('refuses personal data where an identifier is expected', async () => {
    const citizen = CITIZENS[0]!;
    await expectRefusal(
      as2('consent').submitTransaction('RequestConsent', JSON.stringify(consentRequest(9, { subjectId: citizen.nationalId }))),
      'invalid_argument',
    );
    await expectRefusal(
      as2('consent').submitTransaction('RequestConsent', JSON.stringify({ ...consentRequest(9), fullName: citizen.fullName })),
      'invalid_argument',
    );
    await expectRefusal(
      as2('consent').submitTransaction('RequestConsent', JSON.stringify(consentRequest(9, { requestedFields: ['nguyenVanAn0912345678'] }))),
      'invalid_argument',
    );
    await expectRefusal(
      as1('anchors').submitTransaction(
        'AnchorTreeHead',
        JSON.stringify({
          treeSize: 99,
          rootHash: 'e'.repeat(64),
          timestamp: new Date().toISOString(),
          keyId: citizen.email,
          signature: 'c2lnbmF0dXJlLW9mLXRoZS10cmVlLWhlYWQ',
        }),
      ),
      'invalid_argument',
    );
  });

  it('describes every transaction of every contract in its metadata', async () => {
    const metadata = json(await net1.getContract(CC).evaluateTransaction('org.hyperledger.fabric:GetMetadata'));
    const { contracts } = createRequire(import.meta.url)(CHAINCODE) as { contracts: (new () => { getName(): string })[] };
    for (const ContractClass of contracts) {
      const name = new ContractClass().getName();
      const declared = Object.getOwnPropertyNames(ContractClass.prototype).filter((m) => m !== 'constructor' && /^[A-Z]/.test(m));
      const described = (metadata.contracts[name]?.transactions ?? []).map((t: { name: string }) => t.name);
      expect(described.sort(), name).toEqual(declared.sort());
      for (const tx of metadata.contracts[name].transactions) expect(tx.returns?.type ?? tx.returns?.[0]?.schema?.type, `${name}.${tx.name}`).toBeDefined();
    }
  });

  it('wrote no personal data to the ledger: every state value and event payload is scanned', async () => {
    const patterns: [string, RegExp][] = [
      ['a 12-digit national id', /(?<![0-9a-f-])\d{12}(?![0-9a-f-])/],
      ['a Vietnamese phone number', /(?:\+84|(?<![0-9a-f])0)[35789]\d{8}(?!\d)/],
      ['an email address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/],
      ...CITIZENS.map((c) => [`the name of ${c.subjectId}`, new RegExp(c.fullName)] as [string, RegExp]),
    ];
    const findings = (text: string): string[] => patterns.filter(([, re]) => re.test(text)).map(([what]) => what);
    // The scanner itself must see personal data when it is there.
    expect(findings(JSON.stringify(CITIZENS[0]))).toHaveLength(4);
    expect(findings(JSON.stringify(CITIZENS[1]))).toHaveLength(4);

    let scanned = 0;
    const leaks: string[] = [];
    for (let n = 1, height = await ledger.height(); n < height; n++) {
      for (const tx of blockTransactions(await ledger.readBlock(n))) {
        if (tx.validationCode !== 'VALID') continue;
        for (const w of tx.writes) {
          const text = `${w.key} ${w.value?.toString('utf8') ?? ''}`;
          scanned++;
          for (const what of findings(text)) leaks.push(`${what} in ${w.namespace} state (tx ${tx.txId})`);
        }
        if (tx.event) {
          scanned++;
          for (const what of findings(tx.event.payload.toString('utf8'))) leaks.push(`${what} in event ${tx.event.name} (tx ${tx.txId})`);
        }
      }
    }
    expect(scanned).toBeGreaterThan(50);
    expect(leaks).toEqual([]);
  });
});
