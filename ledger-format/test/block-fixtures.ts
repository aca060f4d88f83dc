import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { common, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '../src/index.js';

/** A chain of blocks from block 0, each header linked to the one before, as an orderer cuts them. */
export function chain(transactionsPerBlock: Uint8Array[][]): common.Block[] {
  const blocks: common.Block[] = [];
  let previous: Uint8Array = new Uint8Array();
  transactionsPerBlock.forEach((envelopes, number) => {
    const b = block(
      number,
      previous,
      envelopes,
      envelopes.map(() => peer.TxValidationCode.VALID),
    );
    previous = blockHeaderHash(b.getHeader()!);
    blocks.push(b);
  });
  return blocks;
}

export function block(number: number, previous: Uint8Array, envelopes: Uint8Array[], codes: number[]): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  header.setPreviousHash(previous);
  header.setDataHash(blockDataHash(envelopes));
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([new Uint8Array(), new Uint8Array(), Uint8Array.from(codes), new Uint8Array(), new Uint8Array()]);
  const b = new common.Block();
  b.setHeader(header);
  b.setData(data);
  b.setMetadata(metadata);
  return b;
}

export interface EnvelopeSpec {
  txId: string;
  mspId: string;
  chaincode: string;
  args: string[];
  timestampMs: number;
  writes: { namespace: string; key: string; value: string | null }[];
  privateWrite?: { namespace: string; collection: string; keyHash: Buffer; valueHash: Buffer };
  event?: { name: string; payload: string };
}

/** An endorser transaction envelope built field by field from Fabric's protos (unsigned: formats only). */
export function endorserEnvelope(spec: EnvelopeSpec): Uint8Array {
  const ts = new timestampPb.Timestamp();
  ts.setSeconds(Math.floor(spec.timestampMs / 1000));
  ts.setNanos((spec.timestampMs % 1000) * 1e6);
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId('mychannel');
  channelHeader.setTxId(spec.txId);
  channelHeader.setTimestamp(ts);
  const creator = new msp.SerializedIdentity();
  creator.setMspid(spec.mspId);
  creator.setIdBytes(Buffer.from('-----BEGIN CERTIFICATE-----'));
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(creator.serializeBinary());
  signatureHeader.setNonce(Buffer.from('nonce'));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());

  const namespaces = [...new Set([...spec.writes.map((w) => w.namespace), ...(spec.privateWrite ? [spec.privateWrite.namespace] : [])])];
  const rwSet = new ledger.rwset.TxReadWriteSet();
  rwSet.setNsRwsetList(
    namespaces.map((namespace) => {
      const kv = new ledger.rwset.kvrwset.KVRWSet();
      kv.setWritesList(
        spec.writes
          .filter((w) => w.namespace === namespace)
          .map((w) => {
            const write = new ledger.rwset.kvrwset.KVWrite();
            write.setKey(w.key);
            write.setIsDelete(w.value === null);
            if (w.value !== null) write.setValue(Buffer.from(w.value));
            return write;
          }),
      );
      const ns = new ledger.rwset.NsReadWriteSet();
      ns.setNamespace(namespace);
      ns.setRwset(kv.serializeBinary());
      if (spec.privateWrite?.namespace === namespace) {
        const write = new ledger.rwset.kvrwset.KVWriteHash();
        write.setKeyHash(spec.privateWrite.keyHash);
        write.setValueHash(spec.privateWrite.valueHash);
        const hashed = new ledger.rwset.kvrwset.HashedRWSet();
        hashed.setHashedWritesList([write]);
        const coll = new ledger.rwset.CollectionHashedReadWriteSet();
        coll.setCollectionName(spec.privateWrite.collection);
        coll.setHashedRwset(hashed.serializeBinary());
        ns.setCollectionHashedRwsetList([coll]);
      }
      return ns;
    }),
  );
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(spec.chaincode);
  const action = new peer.ChaincodeAction();
  action.setChaincodeId(chaincodeId);
  action.setResults(rwSet.serializeBinary());
  if (spec.event) {
    const event = new peer.ChaincodeEvent();
    event.setEventName(spec.event.name);
    event.setPayload(Buffer.from(spec.event.payload));
    event.setTxId(spec.txId);
    action.setEvents(event.serializeBinary());
  }
  const prp = new peer.ProposalResponsePayload();
  prp.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(prp.serializeBinary());
  const input = new peer.ChaincodeInput();
  input.setArgsList(spec.args.map((a) => Buffer.from(a)));
  const chaincodeSpec = new peer.ChaincodeSpec();
  chaincodeSpec.setChaincodeId(chaincodeId);
  chaincodeSpec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(chaincodeSpec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  actionPayload.setAction(endorsed);
  const txAction = new peer.TransactionAction();
  txAction.setHeader(signatureHeader.serializeBinary());
  txAction.setPayload(actionPayload.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([txAction]);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  envelope.setSignature(Buffer.from('signature'));
  return envelope.serializeBinary();
}
