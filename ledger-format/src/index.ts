export { signLowS, signLowSAsync, verifyLowS, verifyLowSAsync } from './low-s-signature.js';
export { sha256 } from './sha256.js';
export { computeTxId } from './transaction-id.js';
export { blockHeaderHash, blockDataHash } from './block-hash.js';
export { ChainChecker, checkLink, type ChainProblem } from './chain-checker.js';
export { blockTransactions, type BlockTransaction } from './block-transactions.js';
export { validationCodeName, transactionFilter } from './validation-code.js';
export { parseTransaction, type ParsedTransaction } from './transaction-envelope.js';
export {
  decodeRwSet,
  decodeCollectionHashedRwSet,
  type Version,
  type KeyRead,
  type KeyWrite,
  type RangeRead,
  type HashedRead,
  type HashedWrite,
  type CollectionHashedRwSet,
  type NamespaceRwSet,
} from './read-write-set.js';
export { LedgerFormatError, type LedgerFormatErrorCode } from './errors.js';
