import { common, msp, peer } from '@hyperledger/fabric-protos';
import { decodeRwSet } from './read-write-set.js';
import { parseTransaction } from './transaction-envelope.js';
import { transactionFilter, validationCodeName } from './validation-code.js';

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
        c.writes.map((w) => ({
          namespace: ns.namespace,
          collection: c.collection,
          keyHash: w.keyHash.toString('hex'),
          valueHash: w.valueHash?.toString('hex') ?? null,
        })),
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
    const proposal = peer.ChaincodeProposalPayload.deserializeBinary(
      peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getChaincodeProposalPayload_asU8(),
    );
    const args = peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8()).getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? [];
    return args[0] ? Buffer.from(args[0]).toString('utf8').slice(0, 200) : '';
  } catch {
    return '';
  }
}
