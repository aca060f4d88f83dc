import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as grpcStatus } from '@grpc/grpc-js';
import { GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { blockTransactions } from '@citizen-vault/ledger-format';
import { ledgerDirectory } from '@citizen-vault/network';
import { gatewayFor, text } from './helpers.js';
import { LEDGER, committedOn, onFabric, testLedger, type TestLedger } from './ledger.js';
import { COLLECTIONS_CONFIG, PRIVATE_CHAINCODE, failure, privateDataOf, put, sha256Hex, transient } from './private-data-helpers.js';

const MVCC_READ_CONFLICT = peer.TxValidationCode.MVCC_READ_CONFLICT;

// Runs on the devnet (npm test) and on real Fabric (npm run test:fabric): the same chaincode package,
// collections_config.json and endorsement policies, reached only through the gateway client.
describe(`private data collections on the ${LEDGER}`, () => {
  let ledger: TestLedger;
  let org1: Awaited<ReturnType<typeof gatewayFor>>;
  let org2: Awaited<ReturnType<typeof gatewayFor>>;
  let network1: Network;
  let network2: Network;
  let secrets1: Contract;
  let secrets2: Contract;
  /** The deployed name of `secrets`, which Fabric's messages carry. */
  let cc: string;

  beforeAll(async () => {
    ledger = await testLedger([
      { name: 'secrets', path: PRIVATE_CHAINCODE, policy: "OR('org0.peer','org1.peer')", collections: COLLECTIONS_CONFIG },
      // No policy: the channel's MAJORITY, which needs both organisations.
      { name: 'secrets-majority', path: PRIVATE_CHAINCODE, collections: COLLECTIONS_CONFIG },
    ]);
    org1 = await gatewayFor(ledger, { org: 0 });
    org2 = await gatewayFor(ledger, { org: 1 });
    network1 = org1.gateway.getNetwork(ledger.channel);
    network2 = org2.gateway.getNetwork(ledger.channel);
    cc = ledger.cc('secrets');
    secrets1 = network1.getContract(cc);
    secrets2 = network2.getContract(cc);
  }, 120_000);

  afterAll(async () => {
    org1?.close();
    org2?.close();
    await ledger?.close();
  });

  it('lets a member read a value written through transient data', async () => {
    await put(secrets1, 'org1Only', 'member-read', 'secret-member-read');
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'org1Only', 'member-read'))).toBe('secret-member-read');
  });

  it('refuses the value to a non-member under memberOnlyRead, who can still read its hash', async () => {
    await committedOn(network2, await put(secrets1, 'org1Only', 'hash-only', 'secret-hash-only'));
    const read = secrets2.newProposal('ReadPrivate', { arguments: ['org1Only', 'hash-only'] });
    // The peer's handler names the chaincode's request that failed and its transaction.
    expect(await failure(read.evaluate())).toContain(
      `chaincode response 500, GET_STATE failed: transaction ID: ${read.getTransactionId()}: ` +
        `tx creator does not have read access permission on privatedata in chaincodeName:${cc} collectionName: org1Only`,
    );
    expect(text(await secrets2.evaluateTransaction('ReadPrivateHash', 'org1Only', 'hash-only'))).toBe(sha256Hex('secret-hash-only'));
  });

  it('answers a non-member peer that holds only the hash that the value is not available', async () => {
    await committedOn(network2, await put(secrets1, 'org1Open', 'open', 'secret-open'));
    expect(await failure(secrets2.evaluateTransaction('ReadPrivate', 'org1Open', 'open'))).toMatch(
      /private data matching public hash version is not available/,
    );
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'org1Open', 'open'))).toBe('secret-open');
  });

  it('refuses a write by a non-member under memberOnlyWrite', async () => {
    const write = secrets2.newProposal('PutPrivate', { arguments: ['org1Only', 'intruder'], transientData: transient('x') });
    expect(await failure(write.endorse())).toContain(
      `PUT_STATE failed: transaction ID: ${write.getTransactionId()}: tx creator does not have write access permission on privatedata in chaincodeName:${cc} collectionName: org1Only`,
    );
  });

  it('shares a collection between its member organisations', async () => {
    await committedOn(network1, await put(secrets2, 'sharedCollection', 'shared', 'secret-shared'));
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'sharedCollection', 'shared'))).toBe('secret-shared');
    expect(text(await secrets2.evaluateTransaction('ReadPrivate', 'sharedCollection', 'shared'))).toBe('secret-shared');
  });

  it('keeps the value and the transient input out of the block, which carries only hashes', async () => {
    const value = 'secret-never-on-the-block';
    const blockNumber = await put(secrets1, 'sharedCollection', 'off-block', value);
    const block = await ledger.readBlock(blockNumber);
    const bytes = Buffer.from(block.serializeBinary());
    expect(bytes.includes(Buffer.from(value))).toBe(false);
    expect(bytes.includes(createHash('sha256').update(value).digest())).toBe(true);
    expect(bytes.includes(createHash('sha256').update('off-block').digest())).toBe(true);
    const [tx] = blockTransactions(block);
    expect(tx?.privateWrites).toEqual([{ namespace: cc, collection: 'sharedCollection', keyHash: sha256Hex('off-block'), valueHash: sha256Hex(value) }]);
    expect(tx?.writes).toEqual([]);
  });

  // Devnet only: it reads the devnet's block file; a Fabric peer's block files are its own business.
  it.skipIf(onFabric)('keeps the value out of the block file on disk', async () => {
    const value = 'secret-never-on-disk';
    await put(secrets1, 'sharedCollection', 'off-disk', value);
    const devnet = ledger.devnet!;
    const onDisk = await readFile(join(ledgerDirectory(devnet.dataDir, devnet.channel), 'blocks.bin'));
    expect(onDisk.includes(Buffer.from(value))).toBe(false);
  });

  it("delivers a block's private data only to members of its collection", async () => {
    const blockNumber = await put(secrets1, 'org1Only', 'delivered', 'secret-delivered');
    const member = await privateDataOf(network1, blockNumber);
    expect(member).toHaveLength(1);
    expect(member[0]?.startsWith(`${cc}/org1Only:`)).toBe(true);
    expect(member[0]).toContain('secret-delivered');
    await committedOn(network2, blockNumber);
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

  // Fabric keeps the private writes of invalid transactions in its private data store (kv_ledger.go: a
  // block reprocessed after a fork may make them valid), and deliver returns them with their block.
  it("delivers an invalid transaction's private writes with its block, though they never reach the state", async () => {
    await put(secrets1, 'sharedCollection', 'stale', '5');
    const stale = await secrets1.newProposal('IncrementPrivate', { arguments: ['sharedCollection', 'stale'] }).endorse();
    await put(secrets1, 'sharedCollection', 'stale', '10');
    const status = await (await stale.submit()).getStatus();
    expect(status.code).toBe(MVCC_READ_CONFLICT);
    const delivered = await privateDataOf(network1, Number(status.blockNumber));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.startsWith(`${cc}/sharedCollection:`)).toBe(true);
    expect(delivered[0]).toMatch(/stale.*6/s);
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', 'sharedCollection', 'stale'))).toBe('10');
  });

  // Pinned difference. A Fabric peer delivers a collection without memberOnlyRead to any client of
  // the channel (deliverevents.go CheckCollectionPolicy); the devnet answers from the client's own
  // organisation's peer, whichever peer it connected to, and that peer holds no such value.
  it(`delivers ${onFabric ? "to a non-member connected to a member's peer" : "nothing to a non-member connected to a member's peer, unlike Fabric,"} a collection without memberOnlyRead`, async () => {
    const [own, other] = ledger.connection.organizations;
    const atOrg1Peer = {
      endpoint: ledger.endpoint,
      connection: {
        ...ledger.connection,
        organizations: [{ ...other!, endpoint: own!.endpoint ?? ledger.endpoint, peerHostAlias: own!.peerHostAlias, tlsCACert: own!.tlsCACert }],
      },
    };
    const conn = await gatewayFor(atOrg1Peer);
    try {
      const blockNumber = await put(secrets1, 'org1Open', 'open-delivered', 'secret-open-delivered');
      const delivered = await privateDataOf(conn.gateway.getNetwork(ledger.channel), blockNumber);
      if (onFabric) expect(delivered.join()).toContain('secret-open-delivered');
      else expect(delivered).toEqual([]);
    } finally {
      conn.close();
    }
  });

  it('deletes a private value and its hash', async () => {
    await put(secrets1, 'sharedCollection', 'gone', 'secret-gone');
    const deleted = await secrets1.submitAsync('DeletePrivate', { arguments: ['sharedCollection', 'gone'] });
    await committedOn(network2, Number((await deleted.getStatus()).blockNumber));
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

  it("has each organisation's implicit collection, written by another organisation with the owner's endorsement", async () => {
    const implicit = `_implicit_org_${ledger.msp[0]}`;
    await committedOn(network1, await put(secrets2, implicit, 'for-org1', 'secret-for-org1'));
    expect(text(await secrets1.evaluateTransaction('ReadPrivate', implicit, 'for-org1'))).toBe('secret-for-org1');
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

  it('stops delivering a value with its block once its blockToLive has run out', async () => {
    const written = await put(secrets1, 'org1Brief', 'brief-delivered', 'secret-brief-delivered');
    expect(await put(secrets1, 'sharedCollection', 'filler-3', 'x')).toBe(written + 1);
    expect((await privateDataOf(network1, written)).join()).toContain('secret-brief-delivered');
    expect(await put(secrets1, 'sharedCollection', 'filler-4', 'x')).toBe(written + 2);
    // Fabric's private data store leaves expired data out when it is read (isExpired), before its purger removes it.
    expect(await privateDataOf(network1, written)).toEqual([]);
  });

  it("endorses a collection write under the collection's own policy, on its members only, though the chaincode needs a majority", async () => {
    const majority = network1.getContract(ledger.cc('secrets-majority'));
    await put(majority, 'org1Only', 'm', '41');
    // No transient data, but a private read: only members of the collection may endorse.
    expect(text(await majority.submitTransaction('IncrementPrivate', 'org1Only', 'm'))).toBe('42');
  });

  it("refuses to send transient data to a non-member the chaincode policy would need, as Fabric's gateway does", async () => {
    const majority = network1.getContract(ledger.cc('secrets-majority'));
    const err = await majority
      .newProposal('PutPrivate', { arguments: ['org1Open', 'k'], transientData: transient('v') })
      .endorse()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(grpcStatus.FAILED_PRECONDITION);
    expect((err as GatewayError).message).toMatch(
      /requires endorsement from organisation\(s\) that are not in the distribution policy of the private data collection\(s\): \[org1Open\]; retry specifying trusted endorsing organizations to protect transient data/,
    );
  });

  it('fails an endorsement whose private data cannot reach requiredPeerCount other member peers', async () => {
    // One peer per organisation: the endorsing peer is its organisation's only member of org1Disseminated.
    const write = secrets1.newProposal('PutPrivate', { arguments: ['org1Disseminated', 'k'], transientData: transient('v') });
    expect(await failure(write.endorse())).toContain(
      `error in simulation: failed to distribute private collection, txID ${write.getTransactionId()}, channel ${ledger.channel}: ` +
        `could not build private data dissemination plan for chaincode ${cc} and collection org1Disseminated: ` +
        'required to disseminate to at least 1 peers, but know of only 0 eligible peers',
    );
  });

  it("answers a hash request on a collection the chaincode does not define with the ledger's error", async () => {
    const read = secrets1.newProposal('ReadPrivateHash', { arguments: ['noSuchCollection', 'k'] });
    expect(await failure(read.evaluate())).toContain(
      `GET_PRIVATE_DATA_HASH failed: transaction ID: ${read.getTransactionId()}: collection [noSuchCollection] not defined in the collection config for chaincode [${cc}]`,
    );
  });

  it("answers a read or write on a collection the chaincode does not define with the collection store's error", async () => {
    // Requests that check the creator's permission look the collection up in another place, with other words.
    const notFound = `collection ${ledger.channel}/${cc}/noSuchCollection could not be found`;
    const read = secrets1.newProposal('ReadPrivate', { arguments: ['noSuchCollection', 'k'] });
    expect(await failure(read.evaluate())).toContain(`GET_STATE failed: transaction ID: ${read.getTransactionId()}: ${notFound}`);
    expect(await failure(secrets1.evaluateTransaction('ListPrivate', 'noSuchCollection', '', '~'))).toContain(notFound);
    expect(await failure(secrets1.newProposal('PutPrivate', { arguments: ['noSuchCollection', 'k'], transientData: transient('v') }).endorse())).toContain(
      notFound,
    );
    expect(await failure(secrets1.newProposal('DeletePrivate', { arguments: ['noSuchCollection', 'k'] }).endorse())).toContain(notFound);
    expect(await failure(secrets1.newProposal('PurgePrivate', { arguments: ['noSuchCollection', 'k'] }).endorse())).toContain(notFound);
  });
});
