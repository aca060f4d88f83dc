import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';

// Private data tests use the gateway client and connection.json only, so they can run on real Fabric
// too: the chaincode is deployed there with the same collections_config.json and endorsement policy.
export const PRIVATE_CHAINCODE = resolve(import.meta.dirname, 'fixtures/private-chaincode');
export const COLLECTIONS_CONFIG = join(PRIVATE_CHAINCODE, 'collections_config.json');
export const ENDORSEMENT_POLICY = "OR('Org1MSP.peer','Org2MSP.peer')";

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
export const transient = (value: string): Record<string, Uint8Array> => ({ value: Buffer.from(value) });

/** The message a gateway error carries from the endorsing peer, which says why the chaincode failed. */
export async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof GatewayError) return [err.message, ...err.details.map((d) => d.message)].join(' | ');
    throw err;
  }
  throw new Error('the call was expected to fail');
}

/** Writes a private value through transient data and waits for the commit; returns its block number. */
export async function put(contract: Contract, collection: string, id: string, value: string): Promise<number> {
  const tx = await contract.newProposal('PutPrivate', { arguments: [collection, id], transientData: transient(value) }).endorse();
  const status = await (await tx.submit()).getStatus();
  expect(status.successful).toBe(true);
  return Number(status.blockNumber);
}

/** The private write sets delivered with one block, as `namespace/collection:<KVRWSet bytes as latin1>`. */
export async function privateDataOf(network: Network, blockNumber: number): Promise<string[]> {
  const events = await network.getBlockAndPrivateDataEvents({ startBlock: BigInt(blockNumber) });
  try {
    for await (const event of events) {
      const values: string[] = [];
      event.getPrivateDataMapMap().forEach((tx) => {
        for (const ns of tx.getNsPvtRwsetList()) {
          for (const coll of ns.getCollectionPvtRwsetList())
            values.push(`${ns.getNamespace()}/${coll.getCollectionName()}:${Buffer.from(coll.getRwset_asU8()).toString('latin1')}`);
        }
      });
      expect(event.getBlock()?.getHeader()?.getNumber()).toBe(blockNumber);
      return values;
    }
  } finally {
    events.close();
  }
  return [];
}
