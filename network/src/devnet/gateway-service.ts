import { status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { gateway, peer } from '@hyperledger/fabric-protos';
import type { Endorser, PeerNode } from './endorser.js';
import { EndorsementError } from './endorser.js';
import { DevnetError } from './errors.js';
import { rpcError, toRpcError, type ErrorDetail } from './grpc-errors.js';
import type { CommittedBlock, Ledger, TxStatus } from './ledger.js';
import type { MspRegistry } from './msp.js';
import type { Orderer } from './orderer.js';
import type { Policy } from './policy.js';
import type { CollectionRegistry } from './collections.js';
import { endorseProposal } from './endorsement-planner.js';
import { checkProposal, decode, type CheckedProposal } from './proposal.js';
import { followBlocks, seekBlock, writeWithBackpressure } from './block-follower.js';
import { SYSTEM_CHAINCODES, SystemChaincodeError, evaluateQscc } from './system-chaincode.js';
import { parseTransaction } from './transaction.js';

export interface GatewayDeps {
  channelId: string;
  msps: MspRegistry;
  ledger: Ledger;
  orderer: Orderer;
  endorser: Endorser;
  /** Each organisation's peer, by MSP id. */
  peers: ReadonlyMap<string, PeerNode>;
  policies: ReadonlyMap<string, Policy>;
  collections: CollectionRegistry;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** Fabric's Gateway service (gateway.proto): Evaluate, Endorse, Submit, CommitStatus, ChaincodeEvents. */
export interface GatewayService {
  handlers: gateway.IGatewayServer;
  /** Ends CommitStatus waits: the transactions can no longer commit. */
  failWaiting(reason: string): void;
  close(): void;
}

export function createGatewayService(deps: GatewayDeps): GatewayService {
  const waiters = new CommitWaiters(deps.ledger);

  // Fabric's gateway plans from discovery: the channel's config to evaluate, the chaincode's
  // metadata to endorse; what it cannot find, it reports in discovery's words (registry.go).
  const checked = async (proposal: peer.SignedProposal | undefined, channelId: string, mode: 'evaluate' | 'endorse'): Promise<CheckedProposal> => {
    const p = await checkProposal(proposal, deps.msps);
    const channel = p.channelId || channelId;
    const noMetadata = () =>
      new DevnetError(
        'endorsement_unsatisfiable',
        `no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode ${p.chaincodeName} in channel ${channel}`,
      );
    if (channel !== deps.channelId) {
      if (mode === 'endorse') throw noMetadata();
      throw new DevnetError('unavailable', `failed to get config for channel [${channel}]: could not get last config for channel ${channel}`);
    }
    if (!deps.policies.has(p.chaincodeName) && !(mode === 'evaluate' && SYSTEM_CHAINCODES.has(p.chaincodeName))) {
      if (mode === 'endorse') throw noMetadata();
      throw new DevnetError('endorsement_unsatisfiable', `no peers available to evaluate chaincode ${p.chaincodeName} in channel ${channel}`);
    }
    if (deps.ledger.txStatus(p.txId)) throw new DevnetError('duplicate_txid', `duplicate transaction found [${p.txId}]`);
    return p;
  };

  const peerFor = (mspId: string): PeerNode => {
    const node = deps.peers.get(mspId);
    if (!node) throw new DevnetError('not_found', `no peer of organisation ${mspId} on channel ${deps.channelId}`);
    return node;
  };

  const handlers: gateway.IGatewayServer = {
    evaluate: unary(deps, async (req: gateway.EvaluateRequest) => {
      const p = await checked(req.getProposedTransaction(), req.getChannelId(), 'evaluate');
      const targets = req.getTargetOrganizationsList();
      const node = peerFor(targets[0] ?? (deps.peers.has(p.creator.mspId) ? p.creator.mspId : [...deps.peers.keys()][0]!));
      try {
        const res = new gateway.EvaluateResponse();
        res.setResult(SYSTEM_CHAINCODES.has(p.chaincodeName) ? await systemResponse(deps.ledger, p) : await deps.endorser.evaluate(p, node));
        return res;
      } catch (err) {
        const failure = err instanceof SystemChaincodeError ? new EndorsementError(node, `chaincode response 500, ${err.message}`, 500) : err;
        if (failure instanceof EndorsementError) {
          throw rpcError(status.UNKNOWN, `evaluate call to endorser returned error: ${failure.message}`, [detail(failure)]);
        }
        throw failure;
      }
    }),

    endorse: unary(deps, async (req: gateway.EndorseRequest) => {
      const p = await checked(req.getProposedTransaction(), req.getChannelId(), 'endorse');
      try {
        const res = new gateway.EndorseResponse();
        res.setPreparedTransaction(await endorseProposal(deps, p, req.getEndorsingOrganizationsList()));
        return res;
      } catch (err) {
        if (err instanceof EndorsementError) {
          const message =
            err.stage === 'collect'
              ? 'failed to collect enough transaction endorsements, see attached details for more info'
              : 'failed to endorse transaction, see attached details for more info';
          throw rpcError(status.ABORTED, message, [detail(err)]);
        }
        throw err;
      }
    }),

    submit: unary(deps, async (req: gateway.SubmitRequest) => {
      const envelope = req.getPreparedTransaction();
      if (!envelope) throw new DevnetError('invalid_argument', 'a prepared transaction is required');
      if (envelope.getSignature_asU8().length === 0) throw new DevnetError('invalid_argument', 'prepared transaction must be signed');
      const tx = parseTransaction(envelope.serializeBinary());
      requireChannel(tx.channelId, deps.channelId);
      try {
        await deps.msps.verifyAsync(tx.creator, tx.payload, tx.signature);
      } catch (err) {
        const reason = err instanceof Error ? err.message : 'signature check failed';
        throw rpcError(status.ABORTED, `received unsuccessful response from orderer: status=FORBIDDEN, info=${reason}`);
      }
      tx.creatorSignatureVerified = true;
      deps.orderer.enqueue(tx);
      return new gateway.SubmitResponse();
    }),

    commitStatus: (call: ServerUnaryCall<gateway.SignedCommitStatusRequest, gateway.CommitStatusResponse>, callback) => {
      void (async () => {
        const signed = call.request;
        const req = decode(() => gateway.CommitStatusRequest.deserializeBinary(signed.getRequest_asU8()), 'commit status request');
        await deps.msps.verifyAsync(req.getIdentity_asU8(), signed.getRequest_asU8(), signed.getSignature_asU8());
        requireChannel(req.getChannelId(), deps.channelId);
        const txId = req.getTransactionId();
        if (!txId) throw new DevnetError('invalid_argument', 'a transaction id is required');
        const result = await waiters.wait(txId, call);
        const res = new gateway.CommitStatusResponse();
        res.setResult(result.code as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
        res.setBlockNumber(result.blockNumber);
        return res;
      })().then(
        (res) => callback(null, res),
        (err: unknown) => callback(asRpcError(deps, err)),
      );
    },

    chaincodeEvents: (call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>) => {
      streamEvents(deps, call).catch((err: unknown) => call.destroy(asRpcError(deps, err) as Error));
    },
  };
  return {
    handlers,
    failWaiting: (reason) => waiters.failAll(reason),
    close: () => waiters.close('the devnet is shutting down'),
  };
}

async function systemResponse(ledger: Ledger, p: CheckedProposal): Promise<peer.Response> {
  const args = peer.ChaincodeInput.deserializeBinary(p.input).getArgsList_asU8();
  const res = new peer.Response();
  res.setStatus(200);
  res.setPayload(await evaluateQscc(ledger, args));
  return res;
}

function detail(err: EndorsementError): ErrorDetail {
  return { address: err.peer.address, mspId: err.peer.mspId, message: err.message };
}

function requireChannel(channelId: string, expected: string): void {
  if (channelId !== expected) throw new DevnetError('not_found', `channel ${JSON.stringify(channelId)} not found`);
}

function asRpcError(deps: GatewayDeps, err: unknown): Partial<import('@grpc/grpc-js').ServiceError> {
  if (err && typeof err === 'object' && 'metadata' in err && 'code' in err) return err as Partial<import('@grpc/grpc-js').ServiceError>;
  if (!(err instanceof DevnetError)) deps.log('error', 'unexpected error in a gateway call', { error: String(err) });
  return toRpcError(err);
}

function unary<Req, Res>(deps: GatewayDeps, handler: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    handler(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => callback(asRpcError(deps, err)),
    );
  };
}

/** CommitStatus callers waiting for their transaction, woken by one ledger listener. */
class CommitWaiters {
  private readonly waiting = new Map<string, Set<{ wake(status: TxStatus): void; fail(err: Error): void }>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly ledger: Ledger) {
    this.unsubscribe = ledger.onCommit((block: CommittedBlock) => {
      for (const { txId } of block.transactions) {
        const set = this.waiting.get(txId);
        if (!set) continue;
        this.waiting.delete(txId);
        const result = ledger.txStatus(txId);
        for (const waiter of set) {
          if (result) waiter.wake(result);
          else waiter.fail(new DevnetError('not_found', `transaction ${txId} was not valid enough to be indexed`));
        }
      }
    });
  }

  wait(txId: string, call: { on(event: 'cancelled', fn: () => void): unknown }): Promise<TxStatus> {
    const done = this.ledger.txStatus(txId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      let set = this.waiting.get(txId);
      if (!set) this.waiting.set(txId, (set = new Set()));
      const waiter = { wake: resolve, fail: reject };
      set.add(waiter);
      call.on('cancelled', () => {
        set.delete(waiter);
        reject(new DevnetError('unavailable', 'cancelled by the client'));
      });
    });
  }

  /** Ends every wait with UNAVAILABLE: the transactions can no longer commit. */
  failAll(reason: string): void {
    for (const set of this.waiting.values()) for (const waiter of set) waiter.fail(new DevnetError('unavailable', reason));
    this.waiting.clear();
  }

  close(reason: string): void {
    this.unsubscribe();
    this.failAll(reason);
  }
}

/** Streams a chaincode's events block by block from the requested start, then as blocks commit. */
async function streamEvents(
  deps: GatewayDeps,
  call: ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
): Promise<void> {
  const signed = call.request;
  const req = decode(() => gateway.ChaincodeEventsRequest.deserializeBinary(signed.getRequest_asU8()), 'chaincode events request');
  await deps.msps.verifyAsync(req.getIdentity_asU8(), signed.getRequest_asU8(), signed.getSignature_asU8());
  requireChannel(req.getChannelId(), deps.channelId);
  const chaincodeId = req.getChaincodeId();
  const afterTxId = req.getAfterTransactionId();
  const ledger = deps.ledger;

  const afterTx = afterTxId ? ledger.txStatus(afterTxId) : undefined;
  const next = afterTx ? afterTx.blockNumber : seekBlock(req.getStartPosition(), ledger.height, ledger.height);
  let skipUntilAfter = afterTx ? afterTxId : undefined;

  await followBlocks(ledger, next, Number.MAX_SAFE_INTEGER, call, async (blockNumber) => {
    let events = (await ledger.eventsInBlock(blockNumber)).filter((e) => e.getChaincodeId() === chaincodeId);
    if (skipUntilAfter) {
      const i = events.findIndex((e) => e.getTxId() === skipUntilAfter);
      if (i >= 0) events = events.slice(i + 1);
      skipUntilAfter = undefined;
    }
    if (events.length === 0) return;
    const res = new gateway.ChaincodeEventsResponse();
    res.setBlockNumber(blockNumber);
    res.setEventsList(events);
    await writeWithBackpressure(call, res);
  });
}
