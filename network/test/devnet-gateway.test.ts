import { beforeAll, describe, expect, it } from 'vitest';
import { EndorseError, GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import * as grpc from '@grpc/grpc-js';
import { common, peer } from '@hyperledger/fabric-protos';
import { text, useDevnet, ASSET_CHAINCODE, type SharedDevnet, type TestDevnet } from './helpers.js';

describe('devnet through @hyperledger/fabric-gateway', () => {
  const shared = useDevnet({
    chaincodes: [
      { name: 'assets', path: ASSET_CHAINCODE },
      { name: 'ledger2', path: ASSET_CHAINCODE, endorsementPolicy: "OR('Org1MSP.peer','Org2MSP.peer')" },
    ],
  });
  let devnet: TestDevnet;
  let conn: SharedDevnet['conn'];
  let network: Network;
  let assets: Contract;

  beforeAll(() => {
    ({ devnet, conn, network } = shared);
    assets = network.getContract('assets', 'assets');
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
    expect(e.details[0]?.mspId).toMatch(/^Org[12]MSP$/);
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
    expect(owned).toEqual([['alice', 'bike'], ['alice', 'car']]);
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
    expect(who.mspId).toBe('Org1MSP');
    expect(who.id).toMatch(/^x509::.*CN=User1@org1\.example\.com::.*CN=ca\.org1\.example\.com$/);
    expect(who.peerMspId).toBe('Org1MSP');
    expect(who.channel).toBe(devnet.channel);
    expect(Math.abs(Number(who.timestampSeconds) - Date.now() / 1000)).toBeLessThan(60);

    const secret = await assets.evaluate('ReadTransient', { arguments: ['pin'], transientData: { pin: '4321' } });
    expect(text(secret)).toBe('4321');
  });

  it('keeps transient data out of the transaction that is committed', async () => {
    const commit = await assets.submitAsync('PutTransient', { arguments: ['tr-1'], transientData: { secret: 'do-not-leak' } });
    const status = await commit.getStatus();
    const block = await devnet.readBlock(Number(status.blockNumber));
    const raw = Buffer.concat(block.getData()!.getDataList_asU8().map((b) => Buffer.from(b)));
    // The value was written on purpose (so it is in the write set), but the transient map itself is gone:
    expect(raw.includes(Buffer.from('secret'))).toBe(false);
  });

  it('lets a chaincode call another chaincode on the channel within one transaction', async () => {
    const ledger2 = network.getContract('ledger2', 'assets');
    await ledger2.submitTransaction('PutAsset', 'x', 'from-ledger2');
    expect(text(await assets.evaluateTransaction('CallOther', 'ledger2', 'assets:ReadAsset', 'x'))).toBe('from-ledger2');
  });

  it('rejects an unknown channel and an unknown chaincode clearly', async () => {
    const wrongChannel = conn.gateway.getNetwork('nochannel').getContract('assets');
    const e1 = (await wrongChannel.evaluateTransaction('assets:ReadAsset', 'x').catch((e: unknown) => e)) as GatewayError;
    expect(e1.code).toBe(grpc.status.NOT_FOUND);
    expect(e1.message).toContain('channel "nochannel" not found');
    const wrongChaincode = network.getContract('nosuchcc');
    const e2 = (await wrongChaincode.submitTransaction('X').catch((e: unknown) => e)) as GatewayError;
    expect(e2.code).toBe(grpc.status.NOT_FOUND);
    expect(e2.message).toContain('chaincode nosuchcc is not deployed');
  });

  it('answers Fabric\'s query system chaincode (qscc): chain info, blocks and transactions', async () => {
    const qscc = network.getContract('qscc');
    const commit = await assets.submitAsync('PutAsset', { arguments: ['q-1', 'v'] });
    const status = await commit.getStatus();

    const info = common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', devnet.channel));
    expect(info.getHeight()).toBe(devnet.height());
    const last = await devnet.readBlock(devnet.height() - 1);
    expect(Buffer.from(info.getPreviousblockhash_asU8())).toEqual(Buffer.from(last.getHeader()!.getPreviousHash_asU8()));

    const byNumber = await qscc.evaluateTransaction('GetBlockByNumber', devnet.channel, String(status.blockNumber));
    expect(Buffer.from(byNumber)).toEqual(Buffer.from((await devnet.readBlock(Number(status.blockNumber))).serializeBinary()));
    const byTx = await qscc.evaluateTransaction('GetBlockByTxID', devnet.channel, commit.getTransactionId());
    expect(Buffer.from(byTx)).toEqual(Buffer.from(byNumber));
    const byHash = await qscc.evaluateTransaction('GetBlockByHash', devnet.channel, Buffer.from(info.getPreviousblockhash_asU8()));
    expect(common.Block.deserializeBinary(byHash).getHeader()!.getNumber()).toBe(devnet.height() - 2);

    const processed = peer.ProcessedTransaction.deserializeBinary(await qscc.evaluateTransaction('GetTransactionByID', devnet.channel, commit.getTransactionId()));
    expect(processed.getValidationcode()).toBe(0);
    const payload = common.Payload.deserializeBinary(processed.getTransactionenvelope()!.getPayload_asU8());
    expect(common.ChannelHeader.deserializeBinary(payload.getHeader()!.getChannelHeader_asU8()).getTxId()).toBe(commit.getTransactionId());

    const missing = (await qscc.evaluateTransaction('GetBlockByNumber', devnet.channel, '999999').catch((e: unknown) => e)) as GatewayError;
    expect(missing.details[0]?.message).toContain('error entry not found in index');
    await expect(qscc.submitTransaction('GetChainInfo', devnet.channel)).rejects.toThrow(/chaincode qscc is not deployed/);
  });

  it('survives a chaincode that calls process.exit, and runs the next transaction', async () => {
    const err = (await assets.submitTransaction('Exit').catch((e: unknown) => e)) as EndorseError;
    expect(err).toBeInstanceOf(EndorseError);
    expect(err.details[0]?.message).toMatch(/exited with code 3/);
    expect(text(await assets.submitTransaction('PutAsset', 'after-exit', 'ok'))).toBe('after-exit');
    expect(text(await assets.evaluateTransaction('ReadAsset', 'after-exit'))).toBe('ok');
  });

  it('refuses to endorse when the peers of a majority policy disagree (non-determinism)', async () => {
    const err = (await assets.submitTransaction('Nondeterministic', 'nd').catch((e: unknown) => e)) as EndorseError;
    expect(err).toBeInstanceOf(EndorseError);
    expect(err.message).toContain('ProposalResponsePayloads do not match');
  });
});
