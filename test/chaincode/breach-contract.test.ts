import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '@hyperledger/fabric-gateway';
import { gatewayFor } from '../../network/test/helpers.js';
import { LEDGER, committedOn, testLedger, type TestLedger } from '../../network/test/ledger.js';
import { expectRefusal, json } from './gateway-answers.js';

const CHAINCODE = resolve(import.meta.dirname, '../../chaincode');
const id = (n: number): string => `01935c7e-${String(n).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`;
const OPERATOR = id(1);
const hash = (c: string): string => c.repeat(64);

/** Version `version` of breach `n` as the API records it. */
const version = (n: number, v: number, action: string, state: string, extra: Record<string, unknown> = {}) => ({
  breachId: id(500 + n),
  version: v,
  action,
  state,
  at: `2026-03-0${2 + v}T02:00:00.000Z`,
  detectedAt: '2026-03-02T01:00:00.000Z',
  notifyDueAt: '2026-03-05T01:00:00.000Z',
  affectedSubjects: 12,
  recordHash: hash(String(v)),
  affectedHash: hash('a'),
  ...extra,
});

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric).
describe(`the breach records on the ${LEDGER}`, () => {
  let ledger: TestLedger;
  let CC = 'citizen-vault';
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let net1: Network;
  let net2: Network;
  const record = async (value: object) => {
    const commit = await net1.getContract(CC, 'breaches').submitAsync('RecordBreach', { arguments: [JSON.stringify(value)] });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`not committed: validation code ${status.code}`);
    await Promise.all([net1, net2].map((n) => committedOn(n, Number(status.blockNumber))));
    return json(commit.getResult());
  };
  const refused = (value: object, code: string, net = () => net1) =>
    expectRefusal(net().getContract(CC, 'breaches').submitTransaction('RecordBreach', JSON.stringify(value)), code);
  const versions = async (n: number) => json(await net1.getContract(CC, 'breaches').evaluateTransaction('GetBreach', id(500 + n)));

  beforeAll(async () => {
    ledger = await testLedger([{ name: CC, path: CHAINCODE }]);
    CC = ledger.cc(CC);
    org1 = await gatewayFor(ledger, { org: 0 });
    org2 = await gatewayFor(ledger, { org: 1 });
    net1 = org1.gateway.getNetwork(ledger.channel);
    net2 = org2.gateway.getNetwork(ledger.channel);
    const admin = await gatewayFor(ledger, { org: 0, user: 'Admin' });
    try {
      await admin.gateway
        .getNetwork(ledger.channel)
        .getContract(CC, 'organizations')
        .submitTransaction('RegisterOrganization', JSON.stringify({ id: OPERATOR, mspId: ledger.msp[0], roles: ['operator', 'auditor'] }));
    } finally {
      admin.close();
    }
  });

  afterAll(async () => {
    org1?.close();
    org2?.close();
    await ledger?.close();
  });

  it('takes records from the exchange operator only', async () => {
    await refused(version(1, 1, 'record', 'OPEN'), 'forbidden', () => net2);
  });

  it("records the versions of a breach in order, with the ledger's own time and transaction; a retry answers the stored one", async () => {
    const first = await record(version(1, 1, 'record', 'OPEN'));
    expect(first).toMatchObject({ breachId: id(501), version: 1, state: 'OPEN', recordHash: hash('1') });
    expect(first.txId).toMatch(/^[0-9a-f]{64}$/);
    await record(version(1, 2, 'update', 'OPEN', { authorityNotifiedAt: '2026-03-03T09:00:00.000Z' }));
    expect(await record(version(1, 1, 'record', 'OPEN'))).toEqual(first);
    await refused(version(1, 1, 'record', 'OPEN', { affectedSubjects: 13 }), 'already_exists');
    await record(version(1, 3, 'close', 'CLOSED'));
    expect((await versions(1)).map((v: { version: number; action: string }) => `${v.version} ${v.action}`)).toEqual(['1 record', '2 update', '3 close']);
  });

  it('refuses a version out of order, a moved detection time or deadline, a change after closing, and personal data', async () => {
    await refused(version(2, 2, 'update', 'OPEN'), 'invalid_argument'); // version 1 is missing
    await refused(version(2, 1, 'update', 'OPEN'), 'invalid_argument'); // the first version is the recording
    await record(version(2, 1, 'record', 'OPEN'));
    await refused(version(2, 2, 'update', 'OPEN', { detectedAt: '2026-03-02T20:00:00.000Z' }), 'invalid_argument');
    await refused(version(2, 2, 'update', 'OPEN', { notifyDueAt: '2026-03-09T01:00:00.000Z' }), 'invalid_argument');
    await refused(version(1, 4, 'update', 'OPEN'), 'invalid_argument'); // breach 1 is closed
    await refused({ ...version(3, 1, 'record', 'OPEN'), subjects: ['001099012345'] }, 'invalid_argument');
    await refused(version(3, 1, 'record', 'OPEN', { recordHash: 'Nguyễn Văn An' }), 'invalid_argument');
    await expectRefusal(net1.getContract(CC, 'breaches').evaluateTransaction('GetBreach', id(599)), 'not_found');
  });
});
