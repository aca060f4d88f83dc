export {
  startDevnet,
  ledgerDirectory,
  DEFAULT_ORGANIZATIONS,
  jsonLogger,
  type Devnet,
  type DevnetOptions,
  type ChaincodeSpec,
  type ConnectionInfo,
  type Logger,
  type LogLevel,
} from './devnet/devnet.js';
export { readCollectionsConfig, collectionsConfigFromJson } from './devnet/collections-config.js';
export type { CollectionConfigJson } from './devnet/collections.js';
export type { OrganizationSpec, OrganizationMaterial } from './devnet/crypto-material.js';
export type { BatchOptions } from './devnet/orderer.js';
export { DevnetError, type DevnetErrorCode } from './devnet/errors.js';
export { verifyChain, readBlockFromFile, describeBlock, type ChainVerification, type VerifyProgress } from './devnet/block-reader.js';
// The cross-package chaincode tests read committed blocks through the devnet's package.
export { blockTransactions } from '@citizen-vault/ledger-format';
export {
  fabricUp,
  fabricDown,
  fabricStatus,
  fabricStartNode,
  fabricStopNode,
  openFabricNetwork,
  type FabricNetwork,
  type FabricUpOptions,
  type FabricChaincode,
} from './fabric/fabric-network.js';
export { ensureFabric, FabricInstallError, FABRIC_VERSION, type FabricInstall } from './fabric/binaries.js';
