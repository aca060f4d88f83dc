import { common, peer } from '@hyperledger/fabric-protos';
import { LedgerFormatError } from './errors.js';
import { sha256 } from './sha256.js';

/** An endorser transaction envelope, unpacked. */
export interface ParsedTransaction {
  envelope: Uint8Array;
  txId: string;
  channelId: string;
  timestampMs: number;
  creator: Uint8Array;
  nonce: Uint8Array;
  /** What the creator signed (the envelope's payload) and the signature. */
  payload: Uint8Array;
  signature: Uint8Array;
  chaincodeName: string;
  /** The endorsed ProposalResponsePayload bytes and the endorsements over them. */
  responsePayload: Uint8Array;
  endorsements: { endorser: Uint8Array; signature: Uint8Array }[];
  /** Whether the endorsed proposal hash matches this transaction's header and proposal payload. */
  proposalHashMatches: boolean;
  rwSet: Uint8Array;
  event: peer.ChaincodeEvent | undefined;
}

/** Unpacks a signed endorser transaction, or throws a `malformed` LedgerFormatError naming the malformed part. */
export function parseTransaction(envelopeBytes: Uint8Array): ParsedTransaction {
  const envelope = decode(() => common.Envelope.deserializeBinary(envelopeBytes), 'envelope');
  const payloadBytes = envelope.getPayload_asU8();
  const payload = decode(() => common.Payload.deserializeBinary(payloadBytes), 'envelope payload');
  const header = payload.getHeader();
  if (!header) malformed('envelope payload: no header');
  const channelHeaderBytes = header.getChannelHeader_asU8();
  const signatureHeaderBytes = header.getSignatureHeader_asU8();
  const channelHeader = decode(() => common.ChannelHeader.deserializeBinary(channelHeaderBytes), 'channel header');
  const signatureHeader = decode(() => common.SignatureHeader.deserializeBinary(signatureHeaderBytes), 'signature header');
  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    malformed(`transaction: header type ${channelHeader.getType()} cannot be submitted, only endorser transactions`);
  }
  const tx = decode(() => peer.Transaction.deserializeBinary(payload.getData_asU8()), 'transaction');
  const actions = tx.getActionsList();
  if (actions.length !== 1) malformed(`transaction: ${actions.length} actions, exactly one is required`);
  const action = actions[0]!;
  const actionPayload = decode(() => peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()), 'chaincode action payload');
  const endorsed = actionPayload.getAction();
  if (!endorsed) malformed('transaction: no endorsed action');
  const responsePayload = endorsed.getProposalResponsePayload_asU8();
  const prp = decode(() => peer.ProposalResponsePayload.deserializeBinary(responsePayload), 'proposal response payload');
  const chaincodeAction = decode(() => peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()), 'chaincode action');
  const eventBytes = chaincodeAction.getEvents_asU8();
  const ts = channelHeader.getTimestamp();
  return {
    envelope: envelopeBytes,
    txId: channelHeader.getTxId(),
    channelId: channelHeader.getChannelId(),
    timestampMs: ts ? ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6) : 0,
    creator: signatureHeader.getCreator_asU8(),
    nonce: signatureHeader.getNonce_asU8(),
    payload: payloadBytes,
    signature: envelope.getSignature_asU8(),
    chaincodeName: chaincodeAction.getChaincodeId()?.getName() ?? '',
    responsePayload,
    endorsements: endorsed.getEndorsementsList().map((e) => ({ endorser: e.getEndorser_asU8(), signature: e.getSignature_asU8() })),
    proposalHashMatches: sha256(channelHeaderBytes, signatureHeaderBytes, actionPayload.getChaincodeProposalPayload_asU8()).equals(prp.getProposalHash_asU8()),
    rwSet: chaincodeAction.getResults_asU8(),
    event: eventBytes.length > 0 ? decode(() => peer.ChaincodeEvent.deserializeBinary(eventBytes), 'chaincode event') : undefined,
  };
}

function decode<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    return malformed(what, err);
  }
}

function malformed(what: string, cause?: unknown): never {
  throw new LedgerFormatError('malformed', `malformed ${what}`, { cause });
}
