import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ledgerDirectory } from '@citizen-vault/network';
import { gatewayFor, removeDir, tempDir, testDevnet, text } from './helpers.js';
import { ENDORSEMENT_POLICY, PRIVATE_CHAINCODE, failure, privateDataOf, put, sha256Hex } from './private-data-helpers.js';

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

  it("still delivers an invalid transaction's private writes after a restart, and never reads them as state", async () => {
    const dataDir = await tempDir();
    const chaincodes = [{ name: 'secrets', path: PRIVATE_CHAINCODE, endorsementPolicy: ENDORSEMENT_POLICY }];
    try {
      const first = await testDevnet({ dataDir, chaincodes });
      const conn = await gatewayFor(first, { org: 0 });
      const contract = conn.gateway.getNetwork(first.channel).getContract('secrets');
      await put(contract, '_implicit_org_Org1MSP', 'stale', '5');
      const stale = await contract.newProposal('IncrementPrivate', { arguments: ['_implicit_org_Org1MSP', 'stale'] }).endorse();
      await put(contract, '_implicit_org_Org1MSP', 'stale', '10');
      const status = await (await stale.submit()).getStatus();
      expect(status.successful).toBe(false);
      conn.close();
      await first.close();

      const second = await testDevnet({ dataDir, chaincodes });
      const again = await gatewayFor(second, { org: 0 });
      try {
        const network = again.gateway.getNetwork(second.channel);
        expect((await privateDataOf(network, Number(status.blockNumber))).join()).toMatch(/stale.*6/s);
        expect(text(await network.getContract('secrets').evaluateTransaction('ReadPrivate', '_implicit_org_Org1MSP', 'stale'))).toBe('10');
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
