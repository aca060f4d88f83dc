import { createHash } from 'node:crypto';
import { readFile, truncate } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { collectionsConfigFromJson, ledgerDirectory } from '@citizen-vault/network';
import { gatewayFor, removeDir, tempDir, testDevnet, text, type TestDevnet } from './helpers.js';

// Written against the gateway client and connection.json only, so they can run on real Fabric too:
// the chaincode is deployed there with the same collections_config.json and endorsement policy.
const PRIVATE_CHAINCODE = resolve(import.meta.dirname, 'fixtures/private-chaincode');
const ENDORSEMENT_POLICY = "OR('Org1MSP.peer','Org2MSP.peer')";
const MVCC_READ_CONFLICT = peer.TxValidationCode.MVCC_READ_CONFLICT;

const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
const transient = (value: string): Record<string, Uint8Array> => ({ value: Buffer.from(value) });

/** The message a gateway error carries from the endorsing peer, which says why the chaincode failed. */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof GatewayError) return [err.message, ...err.details.map((d) => d.message)].join(' | ');
    throw err;
  }
  throw new Error('the call was expected to fail');
}

async function put(contract: Contract, collection: string, id: string, value: string): Promise<number> {
  const tx = await contract.newProposal('PutPrivate', { arguments: [collection, id], transientData: transient(value) }).endorse();
  const status = await (await tx.submit()).getStatus();
  expect(status.successful).toBe(true);
  return Number(status.blockNumber);
}

async function collectionsConfig(): Promise<unknown> {
  return JSON.parse(await readFile(join(PRIVATE_CHAINCODE, 'collections_config.json'), 'utf8'));
}

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
        { name: 'secrets', path: PRIVATE_CHAINCODE, endorsementPolicy: ENDORSEMENT_POLICY, collections: collectionsConfigFromJson(await collectionsConfig()) },
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
    // The ledger on disk too: no block file holds the value.
    const onDisk = await readFile(join(ledgerDirectory(devnet.dataDir, devnet.channel), 'blocks.bin'));
    expect(onDisk.includes(Buffer.from(value))).toBe(false);
  });

  it('delivers a block\'s private data only to members of its collection', async () => {
    const blockNumber = await put(secrets1, 'org1Only', 'delivered', 'secret-delivered');
    const privateData = async (network: Network): Promise<string[]> => {
      const events = await network.getBlockAndPrivateDataEvents({ startBlock: BigInt(blockNumber) });
      try {
        for await (const event of events) {
          const values: string[] = [];
          event.getPrivateDataMapMap().forEach((tx) => {
            for (const ns of tx.getNsPvtRwsetList()) {
              for (const coll of ns.getCollectionPvtRwsetList()) values.push(`${ns.getNamespace()}/${coll.getCollectionName()}:${Buffer.from(coll.getRwset_asU8()).toString('latin1')}`);
            }
          });
          expect(event.getBlock()?.getHeader()?.getNumber()).toBe(blockNumber);
          return values;
        }
      } finally {
        events.close();
      }
      return [];
    };
    const member = await privateData(network1);
    expect(member).toHaveLength(1);
    expect(member[0]).toMatch(/^secrets\/org1Only:.*secret-delivered/s);
    expect(await privateData(network2)).toEqual([]);
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

  it('answers a collection the chaincode does not define with Fabric\'s error', async () => {
    expect(await failure(secrets1.evaluateTransaction('ReadPrivateHash', 'noSuchCollection', 'k'))).toMatch(
      /collection \[noSuchCollection\] not defined in the collection config for chaincode \[secrets\]/,
    );
  });
});

describe('private data across a restart', () => {
  it('keeps implicit-collection values, with no collections config, after the devnet restarts', async () => {
    const dataDir = await tempDir();
    const chaincodes = [{ name: 'secrets', path: PRIVATE_CHAINCODE, endorsementPolicy: ENDORSEMENT_POLICY }];
    try {
      const first = await testDevnet({ dataDir, chaincodes });
      const conn = await gatewayFor(first, { org: 0 });
      await put(conn.gateway.getNetwork(first.channel).getContract('secrets'), '_implicit_org_Org1MSP', 'durable', 'secret-durable');
      conn.close();
      await first.close();

      const second = await testDevnet({ dataDir, chaincodes });
      const again = await gatewayFor(second, { org: 0 });
      try {
        const secrets = again.gateway.getNetwork(second.channel).getContract('secrets');
        expect(text(await secrets.evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'durable'))).toBe('secret-durable');
        expect(text(await secrets.evaluateTransaction('ReadPrivateHash', '_implicit_org_Org1MSP', 'durable'))).toBe(sha256Hex('secret-durable'));
      } finally {
        again.close();
        await second.close();
      }
    } finally {
      await removeDir(dataDir);
    }
  });

  it('drops private data written ahead of a block that never reached the block file', async () => {
    const dataDir = await tempDir();
    const chaincodes = [{ name: 'secrets', path: PRIVATE_CHAINCODE, endorsementPolicy: ENDORSEMENT_POLICY }];
    try {
      const first = await testDevnet({ dataDir, chaincodes });
      const conn = await gatewayFor(first, { org: 0 });
      const contract = conn.gateway.getNetwork(first.channel).getContract('secrets');
      await put(contract, '_implicit_org_Org1MSP', 'kept', 'secret-kept');
      const lost = await put(contract, '_implicit_org_Org1MSP', 'lost', 'secret-lost');
      conn.close();
      await first.close();
      // A crash after the private store's fdatasync and before the block's: the block file ends one block earlier.
      const blockFile = join(ledgerDirectory(dataDir, 'mychannel'), 'blocks.bin');
      const blocks = await readFile(blockFile);
      let offset = 0;
      for (let n = 0; n < lost; n++) offset += 8 + blocks.readUInt32BE(offset);
      await truncate(blockFile, offset);

      const second = await testDevnet({ dataDir, chaincodes });
      const again = await gatewayFor(second, { org: 0 });
      try {
        expect(second.height()).toBe(lost);
        const secrets = again.gateway.getNetwork(second.channel).getContract('secrets');
        expect(text(await secrets.evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'kept'))).toBe('secret-kept');
        expect(await failure(secrets.evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'lost'))).toMatch(/does not exist/);
        // The block number is used again, and its private data is the new transaction's.
        expect(await put(secrets, '_implicit_org_Org1MSP', 'again', 'secret-again')).toBe(lost);
        expect(text(await secrets.evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'again'))).toBe('secret-again');
      } finally {
        again.close();
        await second.close();
      }
    } finally {
      await removeDir(dataDir);
    }
  });
});
