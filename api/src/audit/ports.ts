import type { common } from '@hyperledger/fabric-protos';

/** What the log's tree-head signer asks of the ledger: read the anchored heads, anchor a new one. */
export interface LogLedger {
  evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array>;
  submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string; blockNumber: number }>;
}

/** What an auditor's chain check asks of the ledger: its height and its blocks from a number on. */
export interface ChainLedger {
  height(): Promise<number>;
  blocks(startBlock: number): Promise<AsyncIterable<common.Block> & { close(): void }>;
}
