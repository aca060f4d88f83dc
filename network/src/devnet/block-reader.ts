import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash, transactionFilter } from './block-format.js';
import { BLOCK_FILE, scanBlockFile } from './block-store.js';
import { DevnetError } from './errors.js';
import { decodeRwSet } from './rwset.js';
import { parseTransaction } from './transaction.js';

export interface ChainProblem {
  block: number;
  reason: string;
}

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

const CODE_NAMES = Object.fromEntries(Object.entries(peer.TxValidationCode).map(([name, code]) => [code, name]));

/** The name of a Fabric transaction validation code, e.g. 11 → `MVCC_READ_CONFLICT`. */
export function validationCodeName(code: number): string {
  return CODE_NAMES[code] ?? `UNKNOWN_${code}`;
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
    const scan = await scanBlockFile(file, ({ number, offset, bytes, checksumOk }) => {
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
    }, maxBlocks);
    if (scan.trailingBytes > 0) {
      problems.push({ block: height, reason: `${scan.trailingBytes} bytes after block ${height - 1} do not form a whole block (a torn write or tampering)` });
    }
  } finally {
    await file.close();
  }
  return { ok: problems.length === 0, height, problems };
}

/**
 * Checks one block against the header hash of the block before it (none for block 0): its number,
 * its data hash over its transactions, and its previous-hash link. Returns its own header hash,
 * the link for the next block, or undefined when the block has no header.
 */
export function checkLink(block: common.Block, number: number, previous: Buffer | undefined, problems: ChainProblem[]): Buffer | undefined {
  const header = block.getHeader();
  if (!header) {
    problems.push({ block: number, reason: 'block has no header' });
    return undefined;
  }
  if (header.getNumber() !== number) problems.push({ block: number, reason: `header says block ${header.getNumber()}` });
  const data = block.getData()?.getDataList_asU8() ?? [];
  if (!blockDataHash(data).equals(header.getDataHash_asU8())) {
    problems.push({ block: number, reason: 'data hash does not match the block\'s transactions' });
  }
  const expectedPrevious = number === 0 ? Buffer.alloc(0) : previous;
  if (expectedPrevious && !expectedPrevious.equals(header.getPreviousHash_asU8())) {
    problems.push({ block: number, reason: `previous hash does not match block ${number - 1}'s header hash` });
  }
  return blockHeaderHash(header);
}

/**
 * Verifies blocks as they arrive from any source (a Deliver stream, qscc): the same checks as
 * `verifyChain` without the file's record checksums. Feed blocks in order from block 0.
 */
export class ChainChecker {
  readonly problems: ChainProblem[] = [];
  private previous: Buffer | undefined;
  height = 0;

  add(block: common.Block): void {
    this.previous = checkLink(block, this.height, this.previous, this.problems);
    this.height += 1;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }
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

export interface BlockTransaction {
  txId: string;
  validationCode: string;
  chaincode: string;
  /** The invoked function, as the client named it (`contract:Function` for fabric-contract-api). */
  function: string;
  /** The MSP of the client that signed the transaction. */
  creatorMspId: string;
  timestamp: string;
  writes: { namespace: string; key: string; value: Buffer | null }[];
  /** Writes to private data collections, as the block holds them: SHA-256 key and value hashes (hex), present when there are any. */
  privateWrites?: { namespace: string; collection: string; keyHash: string; valueHash: string | null }[];
  event?: { name: string; payload: Buffer };
}

/** The endorser transactions of a block with what each wrote and emitted: what a block listener or an auditor reads. */
export function blockTransactions(block: common.Block): BlockTransaction[] {
  if (block.getHeader()?.getNumber() === 0) return [];
  const filter = transactionFilter(block);
  return (block.getData()?.getDataList_asU8() ?? []).map((envelope, i) => {
    const tx = parseTransaction(envelope);
    const event = tx.event;
    const rwSets = decodeRwSet(tx.rwSet);
    const privateWrites = rwSets.flatMap((ns) =>
      (ns.collections ?? []).flatMap((c) =>
        c.writes.map((w) => ({ namespace: ns.namespace, collection: c.collection, keyHash: w.keyHash.toString('hex'), valueHash: w.valueHash?.toString('hex') ?? null })),
      ),
    );
    return {
      txId: tx.txId,
      validationCode: validationCodeName(filter[i] ?? peer.TxValidationCode.NOT_VALIDATED),
      chaincode: tx.chaincodeName,
      function: invokedFunction(envelope),
      creatorMspId: creatorMspId(tx.creator),
      timestamp: new Date(tx.timestampMs).toISOString(),
      writes: rwSets.flatMap((ns) => ns.writes.map((w) => ({ namespace: ns.namespace, key: w.key, value: w.value }))),
      ...(privateWrites.length > 0 ? { privateWrites } : {}),
      ...(event ? { event: { name: event.getEventName(), payload: Buffer.from(event.getPayload_asU8()) } } : {}),
    };
  });
}

function creatorMspId(creator: Uint8Array): string {
  try {
    return msp.SerializedIdentity.deserializeBinary(creator).getMspid();
  } catch {
    return '';
  }
}

/** The first argument of the chaincode invocation: the function name. Read only for people; never trusted. */
function invokedFunction(envelopeBytes: Uint8Array): string {
  try {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
    const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
    if (!action) return '';
    const proposal = peer.ChaincodeProposalPayload.deserializeBinary(peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getChaincodeProposalPayload_asU8());
    const args = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [];
    return args[0] ? Buffer.from(args[0]).toString('utf8').slice(0, 200) : '';
  } catch {
    return '';
  }
}
