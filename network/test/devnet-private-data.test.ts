import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { blockTransactions, ledgerDirectory } from '@citizen-vault/network';
import { gatewayFor, removeDir, testDevnet, text, type TestDevnet } from './helpers.js';
import {
  ENDORSEMENT_POLICY,
  PRIVATE_CHAINCODE,
  collectionsConfig,
  failure,
  privateDataOf,
  put,
  sha256Hex,
  transient,
} from './private-data-helpers.js';

const MVCC_READ_CONFLICT = peer.TxValidationCode.MVCC_READ_CONFLICT;

describe('private data collections', () => {
  let devnet: TestDevnet;
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let network1: Network;
  let network2: Network;
  let secrets1: Contract;
  let secrets2: Contract;

  beforeAll(async () => {
    devnet = await testDevnet({
      chaincodes: [
        { name: 'secrets', path: PRIVATE_CHAINCODE, endorsementPolicy: ENDORSEMENT_POLICY, collections: await collectionsConfig() },
        { name: 'secrets-majority', path: PRIVATE_CHAINCODE, endorsementPolicy: 'MAJORITY Endorsement', collections: await collectionsConfig() },
      ],
    });
    org1 = await gatewayFor(devnet, { org: 0 });
    org2 = await gatewayFor(devnet, { org: 1 });
    network1 = org1.gateway.getNetwork(devnet.channel);
    network2 = org2.gateway.getNetwork(devnet.channel);
    secrets1 = network1.getContract('secrets');
    secrets2 = network2.getContract('secrets');
  });

  afterAll(async () => {
    org1?.close();
    org2?.close();
    await devnet?.close();
    if (devnet) await removeDir(devnet.dataDir);
  });

  it('lets a member read a value written through transient data', async () => {
    await put(secrets1, 'org1Only', 'member-read', 'secret-member-read');
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'org1Only', 'member-read'))).toBe('secret-member-read');
  });

  it('refuses the value to a non-member under memberOnlyRead, who can still read its hash', async () => {
    await put(secrets1, 'org1Only', 'hash-only', 'secret-hash-only');
    expect(await failure(secrets2.evaluateTransaction('ReadPrivate', 'org1Only', 'hash-only'))).toMatch(
      /tx creator does not have read access permission on privatedata in chaincodeName:secrets collectionName: org1Only/,
    );
    expect(text(await secrets2.evaluateTransaction('ReadPrivateHash', 'org1Only', 'hash-only'))).toBe(sha256Hex('secret-hash-only'));
  });

  it('answers a non-member peer that holds only the hash that the value is not available', async () => {
    await put(secrets1, 'org1Open', 'open', 'secret-open');
    expect(await failure(secrets2.evaluateTransaction('ReadPrivate', 'org1Open', 'open'))).toMatch(
      /private data matching public hash version is not available/,
    );
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'org1Open', 'open'))).toBe('secret-open');
  });

  it('refuses a write by a non-member under memberOnlyWrite', async () => {
    const message = await failure(secrets2.newProposal('PutPrivate', { arguments: ['org1Only', 'intruder'], transientData: transient('x') }).endorse());
    expect(message).toMatch(/tx creator does not have write access permission on privatedata in chaincodeName:secrets collectionName: org1Only/);
  });

  it('shares a collection between its member organisations', async () => {
    await put(secrets2, 'sharedCollection', 'shared', 'secret-shared');
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'sharedCollection', 'shared'))).toBe('secret-shared');
    expect(text(await secrets2.evaluateTransaction('ReadPrivate', 'sharedCollection', 'shared'))).toBe('secret-shared');
  });

  it('keeps the value and the transient input out of the block, which carries only hashes', async () => {
    const value = 'secret-never-on-the-block';
    const blockNumber = await put(secrets1, 'sharedCollection', 'off-block', value);
    const blockBytes = await network1.getContract('qscc').evaluateTransaction('GetBlockByNumber', devnet.channel, String(blockNumber));
    const block = Buffer.from(blockBytes);
    expect(block.includes(Buffer.from(value))).toBe(false);
    expect(block.includes(createHash('sha256').update(value).digest())).toBe(true);
    expect(block.includes(createHash('sha256').update('off-block').digest())).toBe(true);
    const [tx] = blockTransactions(common.Block.deserializeBinary(blockBytes));
    expect(tx?.privateWrites).toEqual([{ namespace: 'secrets', collection: 'sharedCollection', keyHash: sha256Hex('off-block'), valueHash: sha256Hex(value) }]);
    expect(tx?.writes).toEqual([]);
    // The ledger on disk too: no block file holds the value.
    const onDisk = await readFile(join(ledgerDirectory(devnet.dataDir, devnet.channel), 'blocks.bin'));
    expect(onDisk.includes(Buffer.from(value))).toBe(false);
  });

  it('delivers a block\'s private data only to members of its collection', async () => {
    const blockNumber = await put(secrets1, 'org1Only', 'delivered', 'secret-delivered');
    const member = await privateDataOf(network1, blockNumber);
    expect(member).toHaveLength(1);
    expect(member[0]).toMatch(/^secrets\/org1Only:.*secret-delivered/s);
    expect(await privateDataOf(network2, blockNumber)).toEqual([]);
  });

  it('fails the second of two transactions that read the same private key version, as MVCC_READ_CONFLICT', async () => {
    await put(secrets1, 'sharedCollection', 'counter', '0');
    const a = await secrets1.newProposal('IncrementPrivate', { arguments: ['sharedCollection', 'counter'] }).endorse();
    const b = await secrets1.newProposal('IncrementPrivate', { arguments: ['sharedCollection', 'counter'] }).endorse();
    const [sa, sb] = [await a.submit(), await b.submit()];
    const codes = (await Promise.all([sa.getStatus(), sb.getStatus()])).map((s) => s.code).sort();
    expect(codes).toEqual([peer.TxValidationCode.VALID, MVCC_READ_CONFLICT].sort());
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'sharedCollection', 'counter'))).toBe('1');
  });

  it('deletes a private value and its hash', async () => {
    await put(secrets1, 'sharedCollection', 'gone', 'secret-gone');
    await secrets1.submitTransaction('DeletePrivate', 'sharedCollection', 'gone');
    expect(text(await secrets2.evaluateTransaction('ReadPrivateHash', 'sharedCollection', 'gone'))).toBe('');
    expect(await failure(secrets1.evaluateTransaction('ReadPrivate', 'sharedCollection', 'gone'))).toMatch(/does not exist/);
  });

  it('purges a key: its value, its hash and its earlier values in delivered blocks are gone', async () => {
    const blockNumber = await put(secrets1, 'org1Only', 'purged', 'secret-purged');
    expect((await privateDataOf(network1, blockNumber)).join()).toContain('secret-purged');
    await secrets1.submitTransaction('PurgePrivate', 'org1Only', 'purged');
    expect(await failure(secrets1.evaluateTransaction('ReadPrivate', 'org1Only', 'purged'))).toMatch(/does not exist/);
    expect(text(await secrets1.evaluateTransaction('ReadPrivateHash', 'org1Only', 'purged'))).toBe('');
    expect((await privateDataOf(network1, blockNumber)).join()).not.toContain('secret-purged');
  });

  it('has each organisation\'s implicit collection, written by another organisation with the owner\'s endorsement', async () => {
    await put(secrets2, '_implicit_org_Org1MSP', 'for-org1', 'secret-for-org1');
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'for-org1'))).toBe('secret-for-org1');
  });

  it('ranges over private data in a read-only transaction', async () => {
    await put(secrets1, 'org1Only', 'r-1', 'one');
    await put(secrets1, 'org1Only', 'r-2', 'two');
    expect(JSON.parse(text(await secrets1.evaluateTransaction('ListPrivate', 'org1Only', 'r-', 'r-~')))).toEqual([
      { key: 'r-1', value: 'one' },
      { key: 'r-2', value: 'two' },
    ]);
  });

  it('purges a value and its hash once its blockToLive has run out, as Fabric does with the commit of block b + btl + 1', async () => {
    const written = await put(secrets1, 'org1Brief', 'brief', 'secret-brief');
    const next = await put(secrets1, 'sharedCollection', 'filler-1', 'x');
    expect(next).toBe(written + 1);
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'org1Brief', 'brief'))).toBe('secret-brief');
    expect(await put(secrets1, 'sharedCollection', 'filler-2', 'x')).toBe(written + 2);
    expect(await failure(secrets1.evaluateTransaction('ReadPrivate', 'org1Brief', 'brief'))).toMatch(/does not exist/);
    expect(text(await secrets1.evaluateTransaction('ReadPrivateHash', 'org1Brief', 'brief'))).toBe('');
  });

  it('endorses a collection write under the collection\'s own policy, on its members only, though the chaincode needs a majority', async () => {
    const majority = network1.getContract('secrets-majority');
    await put(majority, 'org1Only', 'm', '41');
    // No transient data, but a private read: only members of the collection may endorse.
    expect(text(await majority.submitTransaction('IncrementPrivate', 'org1Only', 'm'))).toBe('42');
  });

  it('refuses to send transient data to a non-member the chaincode policy would need, as Fabric\'s gateway does', async () => {
    const majority = network1.getContract('secrets-majority');
    const err = await majority.newProposal('PutPrivate', { arguments: ['org1Open', 'k'], transientData: transient('v') }).endorse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(grpcStatus.FAILED_PRECONDITION);
    expect((err as GatewayError).message).toMatch(
      /requires endorsement from organisation\(s\) that are not in the distribution policy of the private data collection\(s\): \[org1Open\]; retry specifying trusted endorsing organizations to protect transient data/,
    );
  });

  it('fails an endorsement whose private data cannot reach requiredPeerCount other member peers', async () => {
    const message = await failure(secrets1.newProposal('PutPrivate', { arguments: ['org1Disseminated', 'k'], transientData: transient('v') }).endorse());
    expect(message).toMatch(/required to disseminate to at least 1 peers, but know of only 0 eligible peers/);
  });

  it('answers a collection the chaincode does not define with Fabric\'s error', async () => {
    expect(await failure(secrets1.evaluateTransaction('ReadPrivateHash', 'noSuchCollection', 'k'))).toMatch(
      /collection \[noSuchCollection\] not defined in the collection config for chaincode \[secrets\]/,
    );
  });
});
