import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { common, peer } from '@hyperledger/fabric-protos';
import { blockHeaderHash, checkLink, transactionFilter, validationCodeName, type ChainProblem } from '@citizen-vault/ledger-format';
import { BLOCK_FILE, scanBlockFile } from './block-store.js';
import { DevnetError } from './errors.js';
import { parseTransaction } from './transaction.js';

export interface ChainVerification {
  ok: boolean;
  /** Whole blocks found in the file. */
  height: number;
  problems: ChainProblem[];
}

export interface VerifyProgress {
  blocks: number;
  bytes: number;
  totalBytes: number;
}

/**
 * Verifies a channel's block file without changing it: every record's checksum, each header's
 * number, its data hash against its transactions, and its previous hash against the block before.
 * A changed transaction, header or block order breaks one of these; bytes after the last whole
 * block are reported too. Block metadata (the validation codes) is not under the hash chain, as in
 * Fabric, so only the record checksum guards it.
 */
export async function verifyChain(
  ledgerDir: string,
  onProgress?: (p: VerifyProgress) => void,
  /** Verify only the first N blocks: a running devnet may be appending the next one. */
  maxBlocks?: number,
): Promise<ChainVerification> {
  const file = await openBlockFile(ledgerDir);
  const problems: ChainProblem[] = [];
  let previous: Buffer | undefined;
  let height = 0;
  try {
    const { size: totalBytes } = await file.stat();
    const scan = await scanBlockFile(
      file,
      ({ number, offset, bytes, checksumOk }) => {
        height = number + 1;
        if (!checksumOk) problems.push({ block: number, reason: 'record checksum mismatch: the block bytes were changed' });
        let block: common.Block;
        try {
          block = common.Block.deserializeBinary(bytes);
        } catch {
          problems.push({ block: number, reason: 'not a decodable common.Block' });
          previous = undefined;
          return;
        }
        previous = checkLink(block, number, previous, problems);
        onProgress?.({ blocks: number + 1, bytes: offset + bytes.length, totalBytes });
      },
      maxBlocks,
    );
    if (scan.trailingBytes > 0) {
      problems.push({ block: height, reason: `${scan.trailingBytes} bytes after block ${height - 1} do not form a whole block (a torn write or tampering)` });
    }
  } finally {
    await file.close();
  }
  return { ok: problems.length === 0, height, problems };
}

/** Reads block `number` from a channel's block file, without opening the ledger. */
export async function readBlockFromFile(ledgerDir: string, number: number): Promise<common.Block> {
  const file = await openBlockFile(ledgerDir);
  let found: Buffer | undefined;
  try {
    await scanBlockFile(file, (r) => {
      if (r.number === number) found = r.bytes;
    });
  } finally {
    await file.close();
  }
  if (!found) throw new DevnetError('not_found', `block ${number} does not exist`);
  return common.Block.deserializeBinary(found);
}

/** A block as plain JSON for people and auditors: header hashes and each transaction with its validation code. */
export function describeBlock(block: common.Block): Record<string, unknown> {
  const header = block.getHeader()!;
  const filter = transactionFilter(block);
  return {
    number: header.getNumber(),
    headerHash: blockHeaderHash(header).toString('hex'),
    previousHash: Buffer.from(header.getPreviousHash_asU8()).toString('hex'),
    dataHash: Buffer.from(header.getDataHash_asU8()).toString('hex'),
    transactions: (block.getData()?.getDataList_asU8() ?? []).map((envelope, i) => {
      const code = filter[i] ?? peer.TxValidationCode.NOT_VALIDATED;
      if (header.getNumber() === 0) return { type: 'CONFIG', validationCode: validationCodeName(code) };
      try {
        const tx = parseTransaction(envelope);
        return {
          txId: tx.txId,
          type: 'ENDORSER_TRANSACTION',
          timestamp: new Date(tx.timestampMs).toISOString(),
          chaincode: tx.chaincodeName,
          validationCode: validationCodeName(code),
          endorsements: tx.endorsements.length,
          event: tx.event ? tx.event.getEventName() : undefined,
        };
      } catch {
        return { type: 'UNREADABLE', validationCode: validationCodeName(code) };
      }
    }),
  };
}

async function openBlockFile(ledgerDir: string) {
  try {
    return await open(join(ledgerDir, BLOCK_FILE), 'r');
  } catch (err) {
    throw new DevnetError('not_found', `no block file in ${ledgerDir}`, { cause: err });
  }
}
