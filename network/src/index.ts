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
export {
  verifyChain,
  readBlockFromFile,
  describeBlock,
  blockTransactions,
  ChainChecker,
  type BlockTransaction,
  validationCodeName,
  type ChainVerification,
  type ChainProblem,
  type VerifyProgress,
} from './devnet/block-reader.js';
export { signLowS, computeTxId } from './devnet/signature.js';
export { blockHeaderHash, blockDataHash } from './devnet/block-format.js';
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
