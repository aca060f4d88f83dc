import { common, peer } from '@hyperledger/fabric-protos';
import { DevnetError } from './errors.js';
import type { Identity, MspRegistry } from './msp.js';
import { computeTxId, sha256 } from '@citizen-vault/ledger-format';

/** A signed proposal, unpacked and checked as Fabric's endorser does (core/endorser/msgvalidation.go). */
export interface CheckedProposal {
  signedProposal: peer.SignedProposal;
  txId: string;
  channelId: string;
  chaincodeName: string;
  creator: Identity;
  timestampMs: number;
  /** ChaincodeInput bytes: the function and its arguments. */
  input: Uint8Array;
  channelHeaderBytes: Uint8Array;
  signatureHeaderBytes: Uint8Array;
  /** ChaincodeProposalPayload bytes without the transient map, as they go into the transaction. */
  payloadWithoutTransient: Uint8Array;
  /** Fabric's proposal hash (GetProposalHash1), which endorsements commit to. */
  proposalHash: Buffer;
  /** Whether the client sent transient data: the gateway then endorses only on collection members. */
  hasTransientData: boolean;
}

export async function checkProposal(signedProposal: peer.SignedProposal | undefined, msps: MspRegistry): Promise<CheckedProposal> {
  if (!signedProposal) throw new DevnetError('invalid_argument', 'a signed proposal is required');
  const proposalBytes = signedProposal.getProposalBytes_asU8();
  const signature = signedProposal.getSignature_asU8();
  const proposal = decode(() => peer.Proposal.deserializeBinary(proposalBytes), 'proposal');
  const header = decode(() => common.Header.deserializeBinary(proposal.getHeader_asU8()), 'proposal header');
  const channelHeaderBytes = header.getChannelHeader_asU8();
  const signatureHeaderBytes = header.getSignatureHeader_asU8();
  const channelHeader = decode(() => common.ChannelHeader.deserializeBinary(channelHeaderBytes), 'channel header');
  const signatureHeader = decode(() => common.SignatureHeader.deserializeBinary(signatureHeaderBytes), 'signature header');

  if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
    throw new DevnetError('invalid_argument', `invalid header type ${channelHeader.getType()}: only endorser transactions are accepted`);
  }
  if (channelHeader.getEpoch() !== 0) throw new DevnetError('invalid_argument', 'invalid epoch in the channel header: it must be 0');
  const nonce = signatureHeader.getNonce_asU8();
  const creatorBytes = signatureHeader.getCreator_asU8();
  if (nonce.length === 0) throw new DevnetError('invalid_argument', 'the nonce is empty');
  if (creatorBytes.length === 0) throw new DevnetError('invalid_argument', 'the creator is empty');
  const txId = channelHeader.getTxId();
  const expected = computeTxId(nonce, creatorBytes);
  if (txId !== expected) {
    throw new DevnetError('invalid_argument', `incorrectly computed transaction id ${JSON.stringify(txId)}: it must be sha256(nonce ‖ creator)`);
  }
  const creator = await msps.verifyAsync(creatorBytes, proposalBytes, signature);

  const extension = decode(() => peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8()), 'header extension');
  const payload = decode(() => peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8()), 'proposal payload');
  const invocation = decode(() => peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()), 'invocation spec');
  const spec = invocation.getChaincodeSpec();
  const chaincodeName = spec?.getChaincodeId()?.getName() || extension.getChaincodeId()?.getName() || '';
  if (!chaincodeName) throw new DevnetError('invalid_argument', 'the proposal names no chaincode');
  const input = spec?.getInput();
  if (!input || input.getArgsList().length === 0) throw new DevnetError('invalid_argument', 'the proposal has no function to call');

  const withoutTransient = new peer.ChaincodeProposalPayload();
  withoutTransient.setInput(payload.getInput_asU8());
  const payloadWithoutTransient = withoutTransient.serializeBinary();
  const ts = channelHeader.getTimestamp();
  return {
    signedProposal,
    txId,
    channelId: channelHeader.getChannelId(),
    chaincodeName,
    creator,
    timestampMs: ts ? ts.getSeconds() * 1000 + Math.floor(ts.getNanos() / 1e6) : 0,
    input: input.serializeBinary(),
    channelHeaderBytes,
    signatureHeaderBytes,
    payloadWithoutTransient,
    proposalHash: sha256(channelHeaderBytes, signatureHeaderBytes, payloadWithoutTransient),
    hasTransientData: payload.getTransientmapMap().getLength() > 0,
  };
}

export function decode<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    return malformed(what, err);
  }
}

export function malformed(what: string, cause?: unknown): never {
  throw new DevnetError('invalid_argument', `malformed ${what}`, { cause });
}
