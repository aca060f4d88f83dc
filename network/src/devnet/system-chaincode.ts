import { common, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from '@citizen-vault/ledger-format';
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
  // Messages as core/scc/qscc/query.go and the block store's index word them.
  if (args.length < 2) throw new SystemChaincodeError(`Incorrect number of arguments, ${args.length}`);
  if (fn !== 'GetChainInfo' && args.length < 3) throw new SystemChaincodeError(`missing 3rd argument for ${fn}`);
  if (channel !== ledger.channelId) throw new SystemChaincodeError(`Invalid chain ID, ${channel}`);
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
      if (!/^\d+$/.test(text(2)))
        throw new SystemChaincodeError(`Failed to parse block number with error strconv.ParseUint: parsing ${JSON.stringify(text(2))}: invalid syntax`);
      const n = Number(text(2));
      if (!Number.isSafeInteger(n) || n >= ledger.height) {
        throw new SystemChaincodeError(`Failed to get block number ${text(2)}, error no such block number [${text(2)}] in index`);
      }
      return (await ledger.readBlock(n)).serializeBinary();
    }
    case 'GetBlockByHash': {
      const n = ledger.blockNumberByHash(Buffer.from(args[2] ?? new Uint8Array()));
      if (n === undefined) {
        const hash = Buffer.from(args[2] ?? new Uint8Array());
        throw new SystemChaincodeError(`Failed to get block hash ${hash.toString('latin1')}, error no such block hash [${hash.toString('hex')}] in index`);
      }
      return (await ledger.readBlock(n)).serializeBinary();
    }
    case 'GetBlockByTxID': {
      const status = ledger.txStatus(text(2));
      if (!status) throw new SystemChaincodeError(`Failed to get block for txID ${text(2)}, error no such transaction ID [${text(2)}] in index`);
      return (await ledger.readBlock(status.blockNumber)).serializeBinary();
    }
    case 'GetTransactionByID': {
      const txId = text(2);
      const status = ledger.txStatus(txId);
      if (!status) throw new SystemChaincodeError(`Failed to get transaction with id ${txId}, error no such transaction ID [${txId}] in index`);
      const block = await ledger.readBlock(status.blockNumber);
      const envelope = block
        .getData()!
        .getDataList_asU8()
        .find((bytes) => parseTransaction(bytes).txId === txId)!;
      const processed = new peer.ProcessedTransaction();
      processed.setTransactionenvelope(common.Envelope.deserializeBinary(envelope));
      processed.setValidationcode(status.code);
      return processed.serializeBinary();
    }
    default:
      throw new SystemChaincodeError(`Requested function ${fn} not found.`);
  }
}
