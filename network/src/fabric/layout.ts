import { join, resolve } from 'node:path';
import type { OrganizationSpec } from '../devnet/crypto-material.js';

/** The peer organisations of the Citizen Vault channel, as on the devnet under `npm start`. */
export const PEER_ORGANIZATIONS: readonly OrganizationSpec[] = [
  { mspId: 'VaultOperatorMSP', domain: 'vault.citizenvault.vn' },
  { mspId: 'AuthorityMSP', domain: 'authority.citizenvault.vn' },
];
export const ORDERER_ORGANIZATION: OrganizationSpec & { orderers: number } = { mspId: 'OrdererMSP', domain: 'orderer.citizenvault.vn', orderers: 3 };

export interface OrdererNode {
  name: string;
  port: number;
  adminPort: number;
  operationsPort: number;
  dir: string;
}

export interface PeerNode {
  name: string;
  mspId: string;
  domain: string;
  port: number;
  chaincodePort: number;
  operationsPort: number;
  dir: string;
}

/** Every address and folder of one network, derived from its data directory and a base port. */
export interface NetworkLayout {
  dataDir: string;
  channel: string;
  basePort: number;
  cryptoDir: string;
  orderers: OrdererNode[];
  peers: PeerNode[];
  /** The port of the n-th chaincode server. */
  chaincodePort(n: number): number;
}

/**
 * Ports, from `basePort`: orderers +0..2 (with their admin endpoints at +10.., operations at +20..),
 * peers +30.. (their chaincode listeners +40.., operations +50..), chaincode servers +60...
 */
export function networkLayout(dataDir: string, basePort = 7300, channel = 'mychannel'): NetworkLayout {
  const root = resolve(dataDir);
  return {
    dataDir: root,
    channel,
    basePort,
    cryptoDir: join(root, 'crypto'),
    orderers: Array.from({ length: ORDERER_ORGANIZATION.orderers }, (_, i) => {
      const name = `orderer${i}.${ORDERER_ORGANIZATION.domain}`;
      return { name, port: basePort + i, adminPort: basePort + 10 + i, operationsPort: basePort + 20 + i, dir: join(root, 'nodes', name) };
    }),
    peers: PEER_ORGANIZATIONS.map((org, i) => {
      const name = `peer0.${org.domain}`;
      return {
        name,
        mspId: org.mspId,
        domain: org.domain,
        port: basePort + 30 + i,
        chaincodePort: basePort + 40 + i,
        operationsPort: basePort + 50 + i,
        dir: join(root, 'nodes', name),
      };
    }),
    chaincodePort: (n) => basePort + 60 + n,
  };
}
