import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contract, Network } from '@hyperledger/fabric-gateway';
import { blockTransactions } from '@citizen-vault/network';
import { gatewayFor } from '../../network/test/helpers.js';
import { LEDGER, committedOn, testLedger, type TestLedger } from '../../network/test/ledger.js';
import { expectRefusal, json } from './gateway-answers.js';

const CHAINCODE = resolve(import.meta.dirname, '../../chaincode');
const id = (n: number): string => `01935c7e-${String(n).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`;
const OPERATOR = id(1);
const NATIONAL_ID = '001099012345';

/** A step of request `n` as the API records it. */
const step = (n: number, seq: number, action: string, state: string, extra: Record<string, unknown> = {}) => ({
  requestId: id(300 + n),
  seq,
  kind: 'RESTRICT',
  subjectId: id(101),
  action,
  state,
  at: `2026-03-0${2 + seq}T02:00:00.000Z`,
  receivedAt: '2026-03-03T02:00:00.000Z',
  replyDueAt: '2026-03-05T16:59:59.999Z',
  dueAt: '2026-03-18T16:59:59.999Z',
  ...extra,
});

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric).
describe(`the data-subject request records on the ${LEDGER}`, () => {
  let ledger: TestLedger;
  let CC = 'citizen-vault';
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let net1: Network;
  let net2: Network;
  const as2 = (contract: string): Contract => net2.getContract(CC, contract);
  const record = async (value: object) => {
    const commit = await net1.getContract(CC, 'rights').submitAsync('RecordRightsRequest', { arguments: [JSON.stringify(value)] });
    const status = await commit.getStatus();
    if (!status.successful) throw new Error(`not committed: validation code ${status.code}`);
    await Promise.all([net1, net2].map((n) => committedOn(n, Number(status.blockNumber))));
    return json(commit.getResult());
  };
  const refused = (value: object, code: string) =>
    expectRefusal(net1.getContract(CC, 'rights').submitTransaction('RecordRightsRequest', JSON.stringify(value)), code);
  const steps = async (n: number) => json(await net1.getContract(CC, 'rights').evaluateTransaction('GetRightsRequest', id(300 + n)));

  beforeAll(async () => {
    ledger = await testLedger([{ name: CC, path: CHAINCODE }]);
    CC = ledger.cc(CC);
    org1 = await gatewayFor(ledger, { org: 0 });
    org2 = await gatewayFor(ledger, { org: 1 });
    net1 = org1.gateway.getNetwork(ledger.channel);
    net2 = org2.gateway.getNetwork(ledger.channel);
  });

  afterAll(async () => {
    org1?.close();
    org2?.close();
    await ledger?.close();
  });

  it('takes records from the exchange operator only', async () => {
    await refused(step(1, 1, 'file', 'RECEIVED'), 'forbidden'); // no operator yet
    const admin = await gatewayFor(ledger, { org: 0, user: 'Admin' });
    try {
      await admin.gateway
        .getNetwork(ledger.channel)
        .getContract(CC, 'organizations')
        .submitTransaction('RegisterOrganization', JSON.stringify({ id: OPERATOR, mspId: ledger.msp[0], roles: ['operator', 'auditor'] }));
    } finally {
      admin.close();
    }
    await expectRefusal(as2('rights').submitTransaction('RecordRightsRequest', JSON.stringify(step(1, 1, 'file', 'RECEIVED'))), 'forbidden');
  });

  it("records the steps of a request in order, with the ledger's own time and transaction, and answers them in order", async () => {
    const filed = await record(step(1, 1, 'file', 'RECEIVED'));
    expect(filed).toMatchObject({ requestId: id(301), seq: 1, action: 'file', state: 'RECEIVED' });
    expect(Date.parse(filed.recordedAt)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(filed.txId).toMatch(/^[0-9a-f]{64}$/);
    await record(step(1, 2, 'acknowledge', 'ACKNOWLEDGED'));
    await record(step(1, 3, 'extend', 'EXTENDED', { reason: 'COMPLEX_REQUEST', dueAt: '2026-04-02T16:59:59.999Z' }));
    const all = await steps(1);
    expect(all.map((s: { seq: number; state: string }) => `${s.seq} ${s.state}`)).toEqual(['1 RECEIVED', '2 ACKNOWLEDGED', '3 EXTENDED']);
    expect(all[2]).toMatchObject({ reason: 'COMPLEX_REQUEST', dueAt: '2026-04-02T16:59:59.999Z' });
  });

  it('answers the stored record when the same step comes again (a retry after a crash), and refuses a different one', async () => {
    const first = (await steps(1))[1];
    const again = await record(step(1, 2, 'acknowledge', 'ACKNOWLEDGED'));
    expect(again).toEqual(first);
    await refused(step(1, 2, 'refuse', 'REFUSED', { reason: 'LEGAL_OBLIGATION' }), 'already_exists');
  });

  it('refuses a step out of order, a first step that is not a filing, and a change of kind, subject or time of receipt', async () => {
    await refused(step(2, 2, 'acknowledge', 'ACKNOWLEDGED'), 'invalid_argument'); // step 1 of request 2 is missing
    await refused(step(2, 1, 'acknowledge', 'ACKNOWLEDGED'), 'invalid_argument');
    await refused(step(1, 4, 'complete', 'COMPLETED', { kind: 'ERASE' }), 'invalid_argument');
    await refused(step(1, 4, 'complete', 'COMPLETED', { subjectId: id(102) }), 'invalid_argument');
    await refused(step(1, 4, 'complete', 'COMPLETED', { receivedAt: '2026-03-04T02:00:00.000Z' }), 'invalid_argument');
    await expectRefusal(net1.getContract(CC, 'rights').evaluateTransaction('GetRightsRequest', id(399)), 'not_found');
  });

  it('refuses personal data: a national id for the subject, a name, free text for a reason', async () => {
    await refused(step(3, 1, 'file', 'RECEIVED', { subjectId: NATIONAL_ID }), 'invalid_argument');
    await refused({ ...step(3, 1, 'file', 'RECEIVED'), fullName: 'Nguyễn Văn An' }, 'invalid_argument');
    await refused(step(3, 1, 'refuse', 'REFUSED', { reason: 'ông An ở 12 Phố Huế' }), 'invalid_argument');
  });

  it('emits RightsRequestRecorded for each step, and wrote no national id anywhere', async () => {
    const recorded: string[] = [];
    let scanned = 0;
    for (let n = 1, height = await ledger.height(); n < height; n++) {
      for (const tx of blockTransactions(await ledger.readBlock(n))) {
        if (tx.validationCode !== 'VALID') continue;
        for (const w of tx.writes) {
          scanned++;
          expect(`${w.key} ${w.value?.toString('utf8') ?? ''}`).not.toMatch(/(?<![0-9a-f-])\d{12}(?![0-9a-f-])/);
        }
        if (tx.event?.name === 'RightsRequestRecorded') recorded.push(JSON.parse(tx.event.payload.toString('utf8')).state);
      }
    }
    expect(scanned).toBeGreaterThan(3);
    expect(recorded).toEqual(['RECEIVED', 'ACKNOWLEDGED', 'EXTENDED']);
  });
});
