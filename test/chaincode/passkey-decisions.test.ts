import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '@hyperledger/fabric-gateway';
import { gatewayFor } from '../../network/test/helpers.js';
import { LEDGER, committedOn, testLedger, type TestLedger } from '../../network/test/ledger.js';
import { expectRefusal, json } from './gateway-answers.js';
import { TestPasskey, type Statement } from './passkey-device.js';

const CHAINCODE = resolve(import.meta.dirname, '../../chaincode');
const id = (n: number): string => `01935c7e-${String(n).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`;
const ORG = { operator: id(1), bank: id(2) };
const FIELDS = ['identity.fullName', 'residence.province', 'tax.incomeBracket'];

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric).
describe(`device-signed consent decisions on the ${LEDGER}`, () => {
  let ledger: TestLedger;
  let CC = 'citizen-vault';
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let net1: Network;
  let net2: Network;
  const device = new TestPasskey();

  const submitOn = async (net: Network, fn: string, args: string[], transientData?: Record<string, string>) => {
    const commit = await net.getContract(CC, fn === 'RegisterOrganization' ? 'organizations' : 'consent').submitAsync(fn, {
      arguments: args,
      ...(transientData ? { transientData } : {}),
    });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`${fn} was not committed: validation code ${status.code}`);
    await Promise.all([net1, net2].map((n) => committedOn(n, Number(status.blockNumber))));
    return { result: json(commit.getResult()), transactionId: status.transactionId };
  };
  const decide = (statement: Statement, assertion: object) =>
    net1.getContract(CC, 'consent').submit('DecideConsentWithPasskey', {
      arguments: [JSON.stringify(statement)],
      transientData: { passkeyAssertion: JSON.stringify(assertion) },
    });
  const decided = (statement: Statement, assertion: object) =>
    submitOn(net1, 'DecideConsentWithPasskey', [JSON.stringify(statement)], { passkeyAssertion: JSON.stringify(assertion) });

  let n = 0;
  const requestConsent = async () => {
    n += 1;
    const request = {
      id: id(400 + n),
      subjectId: id(101),
      consumerOrgId: ORG.bank,
      purpose: 'credit_scoring',
      requestedFields: FIELDS,
      accessMode: { mode: 'ONCE' },
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 86_400_000).toISOString(),
      retentionDays: 30,
      onwardTransfer: false,
      crossBorder: false,
      artefactHash: createHash('sha256').update(`artefact ${n}`).digest('hex'),
    };
    await submitOn(net2, 'RequestConsent', [JSON.stringify(request)]);
    return request;
  };
  const statementFor = (c: { id: string; artefactHash: string }, action: Statement['action'], grantedFields: string[], at = new Date()): Statement => ({
    consentId: c.id,
    artefactHash: c.artefactHash,
    action,
    grantedFields,
    at: at.toISOString(),
  });

  beforeAll(async () => {
    ledger = await testLedger([{ name: CC, path: CHAINCODE }]);
    CC = ledger.cc(CC);
    const [MSP1, MSP2] = ledger.msp as [string, string];
    org1 = await gatewayFor(ledger, { org: 0 });
    org2 = await gatewayFor(ledger, { org: 1 });
    net1 = org1.gateway.getNetwork(ledger.channel);
    net2 = org2.gateway.getNetwork(ledger.channel);
    const admin = await gatewayFor(ledger, { org: 0, user: 'Admin' });
    try {
      await admin.gateway
        .getNetwork(ledger.channel)
        .getContract(CC, 'organizations')
        .submitTransaction('RegisterOrganization', JSON.stringify({ id: ORG.operator, mspId: MSP1, roles: ['operator'] }));
    } finally {
      admin.close();
    }
    await submitOn(net1, 'RegisterOrganization', [JSON.stringify({ id: ORG.bank, mspId: MSP2, roles: ['consumer'] })]);
  });

  afterAll(async () => {
    org1?.close();
    org2?.close();
    await ledger?.close();
  });

  it('records an approval the device signed, with the public-key hash and the assertion hash, and refuses its replay', async () => {
    const c = await requestConsent();
    const statement = statementFor(c, 'approve', ['residence.province', 'tax.incomeBracket']);
    const assertion = device.assert(TestPasskey.challenge(statement));
    const { result, transactionId } = await decided(statement, assertion);
    expect(result).toMatchObject({ status: 'ACTIVE', grantedFields: ['residence.province', 'tax.incomeBracket'] });
    const evidence = json(await net1.getContract(CC, 'consent').evaluateTransaction('GetDecisionEvidence', c.id));
    const sorted = Object.fromEntries(Object.entries(assertion).sort(([a], [b]) => (a < b ? -1 : 1)));
    expect(evidence.items).toEqual([
      {
        consentId: c.id,
        action: 'approve',
        txId: transactionId,
        at: result.updatedAt,
        method: 'passkey',
        publicKeyHash: createHash('sha256').update(Buffer.from(device.publicKey, 'base64url')).digest('hex'),
        assertionHash: createHash('sha256').update(JSON.stringify(sorted)).digest('hex'),
        challenge: TestPasskey.challenge(statement),
        signedAt: statement.at,
      },
    ]);
    // The public key and the assertion themselves travel in the transient map: not in the transaction.
    const block = await net1.getContract('qscc').evaluateTransaction('GetTransactionByID', ledger.channel, transactionId);
    expect(Buffer.from(block).includes(Buffer.from(device.publicKey))).toBe(false);
    expect(Buffer.from(block).includes(Buffer.from(assertion.signature))).toBe(false);

    // The same signed decision again: refused (already used), even before the lifecycle would refuse it.
    expect(await expectRefusal(decide(statement, assertion), 'evidence_mismatch')).toMatch(/already used/);
  });

  it('refuses a forged assertion, one for another artefact, one for other fields, an old one and one without user verification', async () => {
    const c = await requestConsent();
    const statement = statementFor(c, 'approve', FIELDS);
    const good = device.assert(TestPasskey.challenge(statement));

    const forgedSignature = { ...good, signature: new TestPasskey().assert(TestPasskey.challenge(statement)).signature };
    expect(await expectRefusal(decide(statement, forgedSignature), 'evidence_mismatch')).toMatch(/signature does not verify/);
    const otherKey = { ...good, publicKey: new TestPasskey().publicKey };
    expect(await expectRefusal(decide(statement, otherKey), 'evidence_mismatch')).toMatch(/signature does not verify/);
    const flipped = Buffer.from(good.authenticatorData, 'base64url');
    flipped[36] = flipped[36]! ^ 1;
    expect(await expectRefusal(decide(statement, { ...good, authenticatorData: flipped.toString('base64url') }), 'evidence_mismatch')).toMatch(/signature/);

    // Signed for another consent's artefact: the statement names the other artefact (refused), or this one (the challenge differs).
    const other = await requestConsent();
    const forOther = statementFor(other, 'approve', FIELDS, new Date(statement.at));
    const otherAssertion = device.assert(TestPasskey.challenge(forOther));
    expect(await expectRefusal(decide({ ...forOther, consentId: c.id }, otherAssertion), 'evidence_mismatch')).toMatch(/artefact/);
    expect(await expectRefusal(decide(statement, otherAssertion), 'evidence_mismatch')).toMatch(/another decision/);

    // Narrowed on the device, widened on the way: the challenge no longer matches.
    const narrow = statementFor(c, 'approve', ['residence.province']);
    const narrowAssertion = device.assert(TestPasskey.challenge(narrow));
    expect(await expectRefusal(decide({ ...narrow, grantedFields: FIELDS }, narrowAssertion), 'evidence_mismatch')).toMatch(/another decision/);
    // A statement whose fields are not what the action grants (the device signed it, but it is untrue).
    const untrue = statementFor(c, 'approve', ['tax.incomeBracket', 'residence.province']);
    expect(await expectRefusal(decide(untrue, device.assert(TestPasskey.challenge(untrue))), 'evidence_mismatch')).toMatch(/would grant/);
    // Signed for a reject, submitted as an approve.
    const reject = statementFor(c, 'reject', []);
    expect(await expectRefusal(decide({ ...reject, action: 'approve' }, device.assert(TestPasskey.challenge(reject))), 'evidence_mismatch')).toMatch(
      /another decision/,
    );

    const old = statementFor(c, 'approve', FIELDS, new Date(Date.now() - 60 * 60_000));
    expect(await expectRefusal(decide(old, device.assert(TestPasskey.challenge(old))), 'evidence_mismatch')).toMatch(/too long before/);
    expect(await expectRefusal(decide(statement, device.assert(TestPasskey.challenge(statement), { flags: 0x01 })), 'evidence_mismatch')).toMatch(
      /verify the user/,
    );
    expect(await expectRefusal(decide(statement, device.assert(TestPasskey.challenge(statement), { type: 'webauthn.create' })), 'evidence_mismatch')).toMatch(
      /not a webauthn.get/,
    );
    await expectRefusal(net1.getContract(CC, 'consent').submitTransaction('DecideConsentWithPasskey', JSON.stringify(statement)), 'invalid_argument');
    // Only the operator submits decisions, signed or not.
    await expectRefusal(
      net2.getContract(CC, 'consent').submit('DecideConsentWithPasskey', {
        arguments: [JSON.stringify(statement)],
        transientData: { passkeyAssertion: JSON.stringify(good) },
      }),
      'forbidden',
    );
    expect(json(await net1.getContract(CC, 'consent').evaluateTransaction('GetConsent', c.id)).status).toBe('REQUESTED');

    // And the genuine one still goes through.
    expect((await decided(statement, good)).result.status).toBe('ACTIVE');
  });

  it('records a device-signed revoke against the fields it ends, and leaves undevice-signed decisions as they were', async () => {
    const c = await requestConsent();
    await submitOn(net1, 'ApproveConsent', [c.id, JSON.stringify(['identity.fullName'])]);
    expect(json(await net1.getContract(CC, 'consent').evaluateTransaction('GetDecisionEvidence', c.id)).items).toEqual([]);
    const revoke = statementFor(c, 'revoke', ['identity.fullName']);
    const { result } = await decided(revoke, device.assert(TestPasskey.challenge(revoke)));
    expect(result.status).toBe('REVOKED');
    const items = json(await net1.getContract(CC, 'consent').evaluateTransaction('GetDecisionEvidence', c.id)).items as { action: string }[];
    expect(items.map((i) => i.action)).toEqual(['revoke']);
  });
});
