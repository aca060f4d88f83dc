import { beforeAll, describe, expect, it } from 'vitest';
import { EndorseError, GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import * as grpc from '@grpc/grpc-js';
import { common, peer } from '@hyperledger/fabric-protos';
import { text, ASSET_CHAINCODE } from './helpers.js';
import { LEDGER, onFabric, useLedger, type SharedLedger, type TestLedger } from './ledger.js';

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric): every expectation here is Fabric's behaviour.
describe(`the ${LEDGER} through @hyperledger/fabric-gateway`, () => {
  const shared = useLedger([
    { name: 'assets', path: ASSET_CHAINCODE },
    { name: 'ledger2', path: ASSET_CHAINCODE, policy: "OR('org0.peer','org1.peer')", package: 'assets2' },
    // On Fabric, another name over the same package as `assets`: see the pinned limit below.
    ...(onFabric ? [{ name: 'samepackage', path: ASSET_CHAINCODE }] : []),
  ]);
  let ledger: TestLedger;
  let conn: SharedLedger['conn'];
  let network: Network;
  let assets: Contract;

  beforeAll(() => {
    ({ ledger, conn, network } = shared);
    assets = network.getContract(ledger.cc('assets'), 'assets');
  });

  it('submits a transaction and evaluates the committed result', async () => {
    expect(text(await assets.submitTransaction('CreateAsset', 'gw-1', 'hello'))).toBe('gw-1');
    expect(text(await assets.evaluateTransaction('ReadAsset', 'gw-1'))).toBe('hello');
  });

  it('reports the commit with its block number and VALID status', async () => {
    const commit = await assets.submitAsync('PutAsset', { arguments: ['gw-2', 'v'] });
    const status = await commit.getStatus();
    expect(status.successful).toBe(true);
    expect(status.code).toBe(0);
    expect(status.blockNumber).toBeGreaterThan(0n);
    expect(status.transactionId).toBe(commit.getTransactionId());
  });

  it('surfaces a chaincode error as an EndorseError carrying the chaincode message', async () => {
    const err = await assets.submitTransaction('Fail', 'card declined').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndorseError);
    const e = err as EndorseError;
    expect(e.code).toBe(grpc.status.ABORTED);
    expect(e.details.map((d) => d.message)).toContain('chaincode response 500, card declined');
    expect(ledger.msp).toContain(e.details[0]?.mspId);
    expect(e.transactionId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('surfaces an evaluation error with the chaincode message', async () => {
    const err = (await assets.evaluateTransaction('ReadAsset', 'missing').catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.details[0]?.message).toBe('chaincode response 500, asset missing does not exist');
  });

  it('gives a transaction no view of its own writes', async () => {
    await assets.submitTransaction('PutAsset', 'ryw', 'before');
    expect(text(await assets.submitTransaction('WriteThenRead', 'ryw', 'after'))).toBe('before');
    expect(text(await assets.evaluateTransaction('ReadAsset', 'ryw'))).toBe('after');
  });

  it('answers range queries in UTF-8 byte order, across result batches', async () => {
    const keys = Array.from({ length: 150 }, (_, i) => `rng-${String(i).padStart(3, '0')}`);
    await Promise.all(keys.map((k) => assets.submitTransaction('PutAsset', k, k)));
    const listed = JSON.parse(text(await assets.evaluateTransaction('ListAssets', 'rng-', 'rng-~'))) as { key: string }[];
    expect(listed.map((r) => r.key)).toEqual(keys);

    // U+FFFD sorts before U+1F600 in UTF-8 (and code points), though not in JavaScript's UTF-16 order.
    await assets.submitTransaction('PutAsset', 'u-\u{1F600}', 'emoji');
    await assets.submitTransaction('PutAsset', 'u-\uFFFD', 'replacement');
    const unicode = JSON.parse(text(await assets.evaluateTransaction('ListAssets', 'u-', 'u.'))) as { key: string }[];
    expect(unicode.map((r) => r.key)).toEqual(['u-\uFFFD', 'u-\u{1F600}']);
  });

  it('pages through a range with bookmarks', async () => {
    const first = JSON.parse(text(await assets.evaluateTransaction('ListPage', '2', ''))) as { keys: string[]; bookmark: string; count: number };
    expect(first.count).toBe(2);
    const second = JSON.parse(text(await assets.evaluateTransaction('ListPage', '2', first.bookmark))) as { keys: string[] };
    expect(second.keys[0]).toBe(first.bookmark);
    expect(second.keys).not.toContain(first.keys[0]);
  });

  it('answers partial composite-key queries', async () => {
    await assets.submitTransaction('CreateOwned', 'alice', 'car');
    await assets.submitTransaction('CreateOwned', 'alice', 'bike');
    await assets.submitTransaction('CreateOwned', 'alicia', 'boat');
    await assets.submitTransaction('CreateOwned', 'bob', 'van');
    const owned = JSON.parse(text(await assets.evaluateTransaction('ListByOwner', 'alice'))) as string[][];
    expect(owned).toEqual([
      ['alice', 'bike'],
      ['alice', 'car'],
    ]);
  });

  it('keeps the history of a key, deletes included, newest first as Fabric 2 returns it', async () => {
    const t1 = await assets.submitAsync('PutAsset', { arguments: ['hist', 'one'] });
    await t1.getStatus();
    await assets.submitTransaction('PutAsset', 'hist', 'two');
    await assets.submitTransaction('DeleteAsset', 'hist');
    const history = JSON.parse(text(await assets.evaluateTransaction('History', 'hist'))) as { txId: string; value: string | null; isDelete: boolean }[];
    expect(history.map((h) => h.value)).toEqual([null, 'two', 'one']);
    expect(history[0]?.isDelete).toBe(true);
    expect(history[2]?.txId).toBe(t1.getTransactionId());
  });

  it('gives the chaincode the client identity, the peer MSP, the transaction time and transient data', async () => {
    const who = JSON.parse(text(await assets.evaluateTransaction('WhoAmI'))) as Record<string, unknown>;
    const { mspId, domain } = ledger.connection.organizations[0]!;
    expect(who.mspId).toBe(mspId);
    const dots = domain.replaceAll('.', '\\.');
    expect(who.id).toMatch(new RegExp(`^x509::.*CN=User1@${dots}::.*CN=ca\\.${dots}$`));
    expect(who.peerMspId).toBe(mspId);
    expect(who.channel).toBe(ledger.channel);
    expect(Math.abs(Number(who.timestampSeconds) - Date.now() / 1000)).toBeLessThan(60);

    const secret = await assets.evaluate('ReadTransient', { arguments: ['pin'], transientData: { pin: '4321' } });
    expect(text(secret)).toBe('4321');
  });

  it('keeps transient data out of the transaction that is committed', async () => {
    const commit = await assets.submitAsync('PutTransient', { arguments: ['tr-1'], transientData: { secret: 'do-not-leak' } });
    const status = await commit.getStatus();
    const block = await ledger.readBlock(Number(status.blockNumber));
    const raw = Buffer.concat(
      block
        .getData()!
        .getDataList_asU8()
        .map((b) => Buffer.from(b)),
    );
    // The value was written on purpose (so it is in the write set), but the transient map itself is gone:
    expect(raw.includes(Buffer.from('secret'))).toBe(false);
  });

  it('lets a chaincode call another chaincode on the channel within one transaction', async () => {
    const ledger2 = network.getContract(ledger.cc('ledger2'), 'assets');
    await ledger2.submitTransaction('PutAsset', 'x', 'from-ledger2');
    expect(text(await assets.evaluateTransaction('CallOther', ledger.cc('ledger2'), 'assets:ReadAsset', 'x'))).toBe('from-ledger2');
  });

  // A devnet limit, pinned on Fabric: the devnet runs every chaincode name in its own worker and allows this.
  it.runIf(onFabric)('refuses a call into another chaincode name that runs the same package, in one transaction', async () => {
    const err = (await assets.evaluateTransaction('CallOther', ledger.cc('samepackage'), 'assets:ReadAsset', 'x').catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.details[0]?.message).toMatch(
      /INVOKE_CHAINCODE failed: transaction ID: [0-9a-f]{64}: execute failed: error sending: txid: [0-9a-f]{64}\(mychannel\) exists/,
    );
  });

  it("rejects an unknown channel and an unknown chaincode in the words of Fabric's gateway (discovery)", async () => {
    const wrongChannel = conn.gateway.getNetwork('nochannel').getContract('assets');
    const e1 = (await wrongChannel.evaluateTransaction('assets:ReadAsset', 'x').catch((e: unknown) => e)) as GatewayError;
    expect(e1.code).toBe(grpc.status.UNAVAILABLE);
    expect(e1.details).toEqual([]);
    expect(e1.message).toBe('14 UNAVAILABLE: failed to get config for channel [nochannel]: could not get last config for channel nochannel');
    const e2 = (await wrongChannel.submitTransaction('assets:ReadAsset', 'x').catch((e: unknown) => e)) as EndorseError;
    expect(e2.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(e2.message).toBe(
      '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode assets in channel nochannel',
    );
    const wrongChaincode = network.getContract('nosuchcc');
    const e3 = (await wrongChaincode.submitTransaction('X').catch((e: unknown) => e)) as EndorseError;
    expect(e3.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(e3.message).toBe(
      `9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode nosuchcc in channel ${ledger.channel}`,
    );
    const e4 = (await wrongChaincode.evaluateTransaction('X').catch((e: unknown) => e)) as GatewayError;
    expect(e4.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(e4.message).toBe(`9 FAILED_PRECONDITION: no peers available to evaluate chaincode nosuchcc in channel ${ledger.channel}`);
  });

  it("answers Fabric's query system chaincode (qscc): chain info, blocks and transactions", async () => {
    const qscc = network.getContract('qscc');
    const commit = await assets.submitAsync('PutAsset', { arguments: ['q-1', 'v'] });
    const status = await commit.getStatus();

    const info = common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', ledger.channel));
    const height = info.getHeight();
    expect(height).toBeGreaterThan(Number(status.blockNumber));
    const last = await ledger.readBlock(height - 1);
    expect(Buffer.from(info.getPreviousblockhash_asU8())).toEqual(Buffer.from(last.getHeader()!.getPreviousHash_asU8()));
    expect(Buffer.from(info.getCurrentblockhash_asU8())).toHaveLength(32);

    const byNumber = await qscc.evaluateTransaction('GetBlockByNumber', ledger.channel, String(status.blockNumber));
    if (ledger.devnet) expect(Buffer.from(byNumber)).toEqual(Buffer.from((await ledger.devnet.readBlock(Number(status.blockNumber))).serializeBinary()));
    const byTx = await qscc.evaluateTransaction('GetBlockByTxID', ledger.channel, commit.getTransactionId());
    expect(Buffer.from(byTx)).toEqual(Buffer.from(byNumber));
    const byHash = await qscc.evaluateTransaction('GetBlockByHash', ledger.channel, Buffer.from(info.getPreviousblockhash_asU8()));
    expect(common.Block.deserializeBinary(byHash).getHeader()!.getNumber()).toBe(height - 2);

    const processed = peer.ProcessedTransaction.deserializeBinary(
      await qscc.evaluateTransaction('GetTransactionByID', ledger.channel, commit.getTransactionId()),
    );
    expect(processed.getValidationcode()).toBe(0);
    const payload = common.Payload.deserializeBinary(processed.getTransactionenvelope()!.getPayload_asU8());
    expect(common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8()).getTxId()).toBe(commit.getTransactionId());

    const missing = (await qscc.evaluateTransaction('GetBlockByNumber', ledger.channel, '999999').catch((e: unknown) => e)) as GatewayError;
    expect(missing.details[0]?.message).toBe('chaincode response 500, Failed to get block number 999999, error no such block number [999999] in index');
    const noTx = (await qscc.evaluateTransaction('GetTransactionByID', ledger.channel, 'abc').catch((e: unknown) => e)) as GatewayError;
    expect(noTx.details[0]?.message).toBe('chaincode response 500, Failed to get transaction with id abc, error no such transaction ID [abc] in index');
    // A system chaincode cannot be endorsed for a transaction: discovery has no metadata for it.
    await expect(qscc.submitTransaction('GetChainInfo', ledger.channel)).rejects.toThrow(/No metadata was found for chaincode qscc/);
  });

  // On Fabric the chaincode is a server of its own: process.exit stops it for every peer until it is restarted.
  it.skipIf(onFabric)('survives a chaincode that calls process.exit, and runs the next transaction', async () => {
    const err = (await assets.submitTransaction('Exit').catch((e: unknown) => e)) as EndorseError;
    expect(err).toBeInstanceOf(EndorseError);
    expect(err.details[0]?.message).toMatch(/exited with code 3/);
    expect(text(await assets.submitTransaction('PutAsset', 'after-exit', 'ok'))).toBe('after-exit');
    expect(text(await assets.evaluateTransaction('ReadAsset', 'after-exit'))).toBe('ok');
  });

  it('refuses to endorse when the peers of a majority policy disagree (non-determinism)', async () => {
    const err = (await assets.submitTransaction('Nondeterministic', 'nd').catch((e: unknown) => e)) as EndorseError;
    expect(err).toBeInstanceOf(EndorseError);
    expect(err.code).toBe(grpc.status.ABORTED);
    expect(err.message).toBe('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info');
    expect(err.details.map((d) => d.message)).toEqual(['ProposalResponsePayloads do not match']);
    expect(ledger.msp).toContain(err.details[0]?.mspId);
  });
});
