import { common, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './block-format.js';
import type { Ledger } from './ledger.js';
import { parseTransaction } from './transaction.js';

/** The system chaincodes a client may evaluate on the devnet, as on a Fabric peer. */
export const SYSTEM_CHAINCODES = new Set(['qscc']);

/** A failure inside a system chaincode: reported like a chaincode's own error response (status 500). */
export class SystemChaincodeError extends Error {}

/**
 * Fabric's query system chaincode (`core/scc/qscc`): chain information, blocks by number, hash or
 * transaction id, and a transaction with its validation code — how a Fabric application reads the
 * ledger through the gateway (`network.getContract('qscc').evaluateTransaction(...)`).
 */
export async function evaluateQscc(ledger: Ledger, args: readonly Uint8Array[]): Promise<Uint8Array> {
  const text = (i: number): string => Buffer.from(args[i] ?? new Uint8Array()).toString('utf8');
  const fn = text(0);
  const channel = text(1);
  if (args.length < 2) throw new SystemChaincodeError(`incorrect number of arguments, ${args.length}`);
  if (channel !== ledger.channelId) throw new SystemChaincodeError(`invalid chain ID, ${channel}`);
  switch (fn) {
    case 'GetChainInfo': {
      const last = await ledger.readBlock(ledger.height - 1);
      const info = new common.BlockchainInfo();
      info.setHeight(ledger.height);
      info.setCurrentblockhash(blockHeaderHash(last.getHeader()!));
      info.setPreviousblockhash(last.getHeader()!.getPreviousHash_asU8());
      return info.serializeBinary();
    }
    case 'GetBlockByNumber': {
      const n = Number(text(2));
      if (!Number.isSafeInteger(n) || n < 0 || n >= ledger.height) {
        throw new SystemChaincodeError(`failed to get block number ${text(2)}, error entry not found in index`);
      }
      return (await ledger.readBlock(n)).serializeBinary();
    }
    case 'GetBlockByHash': {
      const n = ledger.blockNumberByHash(Buffer.from(args[2] ?? new Uint8Array()));
      if (n === undefined) throw new SystemChaincodeError('failed to get block by hash, error entry not found in index');
      return (await ledger.readBlock(n)).serializeBinary();
    }
    case 'GetBlockByTxID': {
      const status = ledger.txStatus(text(2));
      if (!status) throw new SystemChaincodeError(`failed to get block for txID ${text(2)}, error entry not found in index`);
      return (await ledger.readBlock(status.blockNumber)).serializeBinary();
    }
    case 'GetTransactionByID': {
      const txId = text(2);
      const status = ledger.txStatus(txId);
      if (!status) throw new SystemChaincodeError(`failed to get transaction with id ${txId}, error entry not found in index`);
      const block = await ledger.readBlock(status.blockNumber);
      const envelope = block.getData()!.getDataList_asU8().find((bytes) => parseTransaction(bytes).txId === txId)!;
      const processed = new peer.ProcessedTransaction();
      processed.setTransactionenvelope(common.Envelope.deserializeBinary(envelope));
      processed.setValidationcode(status.code);
      return processed.serializeBinary();
    }
    default:
      throw new SystemChaincodeError(`requested function ${fn} not found`);
  }
}
