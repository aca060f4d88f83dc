import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { connect, signers } from '@hyperledger/fabric-gateway';
import type { ConnectionInfo } from '../devnet/devnet.js';

/**
 * Waits until the gateway of the connection's first organisation can endorse each chaincode with
 * its policy. A chaincode just committed is not: the gateway plans endorsements from what gossip
 * has told it about the other organisations' peers, about a second later ("no combination of
 * peers can be derived which satisfy the endorsement policy" until then).
 */
export async function waitEndorsable(connection: ConnectionInfo, chaincodes: string[], withinMs = 30_000): Promise<void> {
  const org = connection.organizations[0]!;
  const client = new grpc.Client(org.endpoint ?? connection.endpoint, grpc.credentials.createSsl(await readFile(org.tlsCACert)), {
    'grpc.ssl_target_name_override': org.peerHostAlias,
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: await readFile(org.users.User1.cert) },
    signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(org.users.User1.key))),
    endorseOptions: () => ({ deadline: Date.now() + 10_000 }),
  });
  try {
    for (const name of chaincodes) {
      const contract = gateway.getNetwork(connection.channel).getContract(name);
      const deadline = Date.now() + withinMs;
      for (;;) {
        try {
          // Endorsed, never submitted: nothing reaches the ledger.
          await contract.newProposal('org.hyperledger.fabric:GetMetadata').endorse();
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await sleep(250);
        }
      }
    }
  } finally {
    gateway.close();
    client.close();
  }
}
