import { peer, ledger } from '@hyperledger/fabric-protos';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import type { ChaincodeTransport, TransportFactory } from './chaincode-transport.js';
import { DevnetError } from './errors.js';
import { answerPrivateData, type PrivateDataAccess } from './private-data-handler.js';
import type { TxSimulator, RangeBatch } from './simulator.js';

const Type = peer.ChaincodeMessage.Type;
const TYPE_NAMES = new Map<number, string>(Object.entries(Type).map(([name, value]) => [value, name]));
/** A chaincode message type as Fabric's Go enum prints it: `GET_STATE`. */
const messageTypeName = (type: number): string => TYPE_NAMES.get(type) ?? String(type);

export interface ChaincodeProcessOptions {
  name: string;
  /** How to reach the chaincode: a worker running its package, or its chaincode-as-a-service server. */
  transport: TransportFactory;
  /** How long one transaction may run, like the peer's `chaincode.executetimeout`. */
  executeTimeoutMs: number;
}

export interface ExecutionContext {
  simulator: TxSimulator;
  privateAccess: PrivateDataAccess;
  /** Chaincode-to-chaincode call on the same channel, in the same transaction. */
  invoke(chaincodeName: string, input: Uint8Array): Promise<ChaincodeOutcome>;
}

export interface ChaincodeOutcome {
  response: peer.Response;
  event: peer.ChaincodeEvent | undefined;
}

interface Pending {
  context: ExecutionContext;
  resolve(outcome: ChaincodeOutcome): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The peer's side of the chaincode protocol for one chaincode on one peer: connects to the chaincode,
 * completes its REGISTER handshake, sends it TRANSACTION messages and answers its state requests
 * from the transaction's simulator. If the chaincode goes away, in-flight transactions fail and the
 * next one connects again.
 */
export class ChaincodeProcess {
  private transport: ChaincodeTransport | undefined;
  private starting: Promise<ChaincodeTransport> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly options: ChaincodeProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    await this.connected();
  }

  async execute(channelId: string, txId: string, signedProposal: peer.SignedProposal, input: Uint8Array, context: ExecutionContext): Promise<ChaincodeOutcome> {
    const transport = await this.connected();
    const key = `${channelId}${txId}`;
    if (this.pending.has(key)) throw new DevnetError('duplicate_txid', `transaction ${txId} is already executing`);
    return new Promise<ChaincodeOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new DevnetError('chaincode_failed', `chaincode ${this.name} did not complete within ${this.options.executeTimeoutMs} ms`));
      }, this.options.executeTimeoutMs);
      this.pending.set(key, { context, resolve, reject, timer });
      const msg = new peer.ChaincodeMessage();
      msg.setType(Type.TRANSACTION);
      msg.setTxid(txId);
      msg.setChannelId(channelId);
      msg.setPayload(input);
      msg.setProposal(signedProposal);
      transport.send(msg);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const transport = this.transport;
    this.transport = undefined;
    await transport?.close();
  }

  private connected(): Promise<ChaincodeTransport> {
    if (this.closed) return Promise.reject(new DevnetError('unavailable', 'the devnet is shutting down'));
    if (this.transport) return Promise.resolve(this.transport);
    this.starting ??= this.connect().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private connect(): Promise<ChaincodeTransport> {
    const { name } = this.options;
    return new Promise<ChaincodeTransport>((resolve, reject) => {
      let registered = false;
      const transport: ChaincodeTransport = this.options.transport({
        onMessage: (msg) => {
          if (registered) {
            void this.onMessage(transport, msg);
            return;
          }
          if (msg.getType() !== Type.REGISTER) return;
          registered = true;
          this.send(transport, Type.REGISTERED, '', '');
          this.send(transport, Type.READY, '', '');
          this.transport = transport;
          resolve(transport);
        },
        onClose: (reason) => {
          if (!registered) reject(new DevnetError('chaincode_failed', `chaincode ${name} ${reason} before it registered`));
          this.fail(transport, `chaincode ${name} ${reason}`);
        },
      });
    });
  }

  /** Fails every transaction in flight on a connection that has gone, so the next call connects again. */
  private fail(transport: ChaincodeTransport, reason: string): void {
    if (this.transport !== transport) return;
    this.transport = undefined;
    for (const [key, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DevnetError('chaincode_failed', reason));
      this.pending.delete(key);
    }
  }

  private async onMessage(transport: ChaincodeTransport, msg: peer.ChaincodeMessage): Promise<void> {
    const key = `${msg.getChannelId()}${msg.getTxid()}`;
    const pending = this.pending.get(key);
    if (!pending) return; // timed out or failed already
    const type = msg.getType();
    if (type === Type.COMPLETED || type === Type.ERROR) {
      this.pending.delete(key);
      clearTimeout(pending.timer);
      if (type === Type.ERROR) {
        pending.reject(new DevnetError('chaincode_failed', Buffer.from(msg.getPayload_asU8()).toString('utf8')));
        return;
      }
      pending.resolve({ response: peer.Response.deserializeBinary(msg.getPayload_asU8()), event: msg.getChaincodeEvent() });
      return;
    }
    try {
      const payload = await this.answer(msg, pending.context);
      this.send(transport, Type.RESPONSE, msg.getChannelId(), msg.getTxid(), payload);
    } catch (err) {
      // handler.go HandleTransaction wraps every failure so: the shim's error (and so the chaincode's) says which request failed.
      const text = `${messageTypeName(msg.getType())} failed: transaction ID: ${msg.getTxid()}: ${err instanceof Error ? err.message : String(err)}`;
      this.send(transport, Type.ERROR, msg.getChannelId(), msg.getTxid(), Buffer.from(text, 'utf8'));
    }
  }

  /** Answers one state request from the chaincode, as Fabric's `core/chaincode/handler.go` does. */
  private async answer(msg: peer.ChaincodeMessage, ctx: ExecutionContext): Promise<Uint8Array> {
    const ns = this.name;
    const sim = ctx.simulator;
    const payload = msg.getPayload_asU8();
    const privateAnswer = answerPrivateData(msg, ns, sim, ctx.privateAccess);
    if (privateAnswer) return privateAnswer.kind === 'bytes' ? privateAnswer.payload : encodeBatch(ns, privateAnswer.batch);
    switch (msg.getType()) {
      case Type.GET_STATE:
        return sim.getState(ns, peer.GetState.deserializeBinary(payload).getKey());
      case Type.PUT_STATE: {
        const req = peer.PutState.deserializeBinary(payload);
        sim.putState(ns, req.getKey(), Buffer.from(req.getValue_asU8()));
        return new Uint8Array();
      }
      case Type.DEL_STATE:
        sim.deleteState(ns, peer.DelState.deserializeBinary(payload).getKey());
        return new Uint8Array();
      case Type.GET_STATE_BY_RANGE: {
        const req = peer.GetStateByRange.deserializeBinary(payload);
        let pageSize = 0;
        let bookmark = '';
        if (req.getMetadata_asU8().length > 0) {
          const meta = peer.QueryMetadata.deserializeBinary(req.getMetadata_asU8());
          pageSize = meta.getPagesize();
          bookmark = meta.getBookmark();
        }
        return encodeBatch(ns, await sim.openRange(ns, req.getStartkey(), req.getEndkey(), pageSize, bookmark));
      }
      case Type.QUERY_STATE_NEXT:
        return encodeBatch(ns, await sim.nextBatch(peer.QueryStateNext.deserializeBinary(payload).getId()));
      case Type.QUERY_STATE_CLOSE: {
        const id = peer.QueryStateClose.deserializeBinary(payload).getId();
        sim.closeIterator(id);
        const res = new peer.QueryResponse();
        res.setId(id);
        return res.serializeBinary();
      }
      case Type.GET_HISTORY_FOR_KEY: {
        const key = peer.GetHistoryForKey.deserializeBinary(payload).getKey();
        const res = new peer.QueryResponse();
        // Since Fabric 2.0 (FAB-16303) history comes newest first.
        res.setResultsList(
          [...(await sim.history(ns, key))].reverse().map((m) => {
            const mod = new ledger.queryresult.KeyModification();
            mod.setTxId(m.txId);
            mod.setValue(m.value);
            mod.setIsDelete(m.isDelete);
            mod.setTimestamp(timestamp(m.timestampMs));
            const bytes = new peer.QueryResultBytes();
            bytes.setResultbytes(mod.serializeBinary());
            return bytes;
          }),
        );
        res.setHasMore(false);
        res.setId('history');
        return res.serializeBinary();
      }
      case Type.GET_STATE_METADATA: {
        const req = peer.GetStateMetadata.deserializeBinary(payload);
        sim.getState(ns, req.getKey()); // Fabric records the read; the devnet keeps no key metadata
        return new peer.StateMetadataResult().serializeBinary();
      }
      case Type.INVOKE_CHAINCODE: {
        const spec = peer.ChaincodeSpec.deserializeBinary(payload);
        const target = spec.getChaincodeId()?.getName() ?? '';
        const [name, channel] = target.split('/');
        if (channel && channel !== msg.getChannelId()) {
          throw new DevnetError('not_supported', 'the devnet has one channel; cross-channel chaincode calls are not supported');
        }
        const outcome = await ctx.invoke(name ?? '', spec.getInput()?.serializeBinary() ?? new Uint8Array());
        const reply = new peer.ChaincodeMessage();
        reply.setType(outcome.response.getStatus() >= 400 ? Type.ERROR : Type.COMPLETED);
        reply.setPayload(outcome.response.serializeBinary());
        reply.setTxid(msg.getTxid());
        reply.setChannelId(msg.getChannelId());
        return reply.serializeBinary();
      }
      case Type.GET_QUERY_RESULT:
        throw new DevnetError('not_supported', 'rich (JSON) queries need CouchDB; the devnet state database is key-value, like LevelDB');
      case Type.PUT_STATE_METADATA:
        throw new DevnetError('not_supported', 'key-level endorsement policies (state metadata) are not supported by the devnet');
      default:
        throw new DevnetError('not_supported', `chaincode message type ${msg.getType()} is not supported by the devnet`);
    }
  }

  private send(transport: ChaincodeTransport, type: number, channelId: string, txId: string, payload?: Uint8Array): void {
    const msg = new peer.ChaincodeMessage();
    msg.setType(type as peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap]);
    msg.setChannelId(channelId);
    msg.setTxid(txId);
    if (payload) msg.setPayload(payload);
    transport.send(msg);
  }
}

function encodeBatch(namespace: string, batch: RangeBatch): Uint8Array {
  const res = new peer.QueryResponse();
  res.setResultsList(
    batch.results.map(({ key, value }) => {
      const kv = new ledger.queryresult.KV();
      kv.setNamespace(namespace);
      kv.setKey(key);
      kv.setValue(value);
      const bytes = new peer.QueryResultBytes();
      bytes.setResultbytes(kv.serializeBinary());
      return bytes;
    }),
  );
  res.setHasMore(batch.hasMore);
  res.setId(batch.id);
  if (batch.page) {
    const meta = new peer.QueryResponseMetadata();
    meta.setFetchedRecordsCount(batch.page.fetchedRecordsCount);
    meta.setBookmark(batch.page.bookmark);
    res.setMetadata(meta.serializeBinary());
  }
  return res.serializeBinary();
}

export function timestamp(ms: number): timestampPb.Timestamp {
  const ts = new timestampPb.Timestamp();
  ts.setSeconds(Math.floor(ms / 1000));
  ts.setNanos((ms % 1000) * 1_000_000);
  return ts;
}
