import type { ServerDuplexStream } from '@grpc/grpc-js';
import { common, orderer, peer } from '@hyperledger/fabric-protos';
import { followBlocks, seekBlock, writeWithBackpressure } from './block-follower.js';
import { DevnetError } from './errors.js';
import type { Ledger } from './ledger.js';
import type { Identity, MspRegistry } from './msp.js';
import { decode } from './proposal.js';
import { parseTransaction } from './transaction.js';
import { Code } from './validator.js';
import { transactionFilter } from '@citizen-vault/ledger-format';

export interface DeliverDeps {
  channelId: string;
  msps: MspRegistry;
  ledger: Ledger;
  clock: () => Date;
}

type DeliverCall = ServerDuplexStream<common.Envelope, peer.DeliverResponse>;
type Shape = 'block' | 'filtered' | 'private';

/** Fabric's `peer.authentication.timewindow`: a seek request must be this fresh. */
const TIME_WINDOW_MS = 15 * 60 * 1000;

/**
 * Fabric's Deliver service (peer/events.proto): a client's signed seek request streams blocks —
 * whole, filtered, or with the private data the requester may see — from a start to a stop position, waiting for new
 * blocks as they commit. Serves `network.getBlockEvents()` and its siblings in fabric-gateway.
 */
export function createDeliverService(deps: DeliverDeps): peer.IDeliverServer {
  const handler = (shape: Shape) => (call: DeliverCall) => {
    let queue = Promise.resolve();
    call.on('data', (envelope: common.Envelope) => {
      if (call.cancelled) return;
      queue = queue
        .then(() => (call.cancelled ? undefined : serve(deps, call, envelope, shape)))
        .catch(() => {
          call.end();
        });
    });
    call.on('end', () => void queue.then(() => call.end()));
  };
  return { deliver: handler('block'), deliverFiltered: handler('filtered'), deliverWithPrivateData: handler('private') };
}

async function serve(deps: DeliverDeps, call: DeliverCall, envelope: common.Envelope, shape: Shape): Promise<void> {
  let seek: SeekRequest;
  try {
    seek = checkSeekRequest(deps, envelope);
  } catch (err) {
    const code =
      err instanceof DevnetError && (err.code === 'bad_signature' || err.code === 'unknown_identity')
        ? common.Status.FORBIDDEN
        : err instanceof DevnetError && err.code === 'not_found'
          ? common.Status.NOT_FOUND
          : common.Status.BAD_REQUEST;
    await writeWithBackpressure(call, statusResponse(code));
    return;
  }
  const { ledger } = deps;
  if (seek.failIfNotReady && seek.stop >= ledger.height && seek.stop !== Number.MAX_SAFE_INTEGER) {
    await writeWithBackpressure(call, statusResponse(common.Status.NOT_FOUND));
    return;
  }
  const outcome = await followBlocks(ledger, seek.start, seek.stop, call, async (n) => {
    const block = await ledger.readBlock(n);
    const res = new peer.DeliverResponse();
    if (shape === 'block') res.setBlock(block);
    else if (shape === 'filtered') res.setFilteredBlock(filterBlock(block, deps.channelId));
    else {
      const withPrivate = new peer.BlockAndPrivateData();
      withPrivate.setBlock(block);
      // Only collections the requester is a member of, from its own organisation's peer.
      const privateData = await ledger.privateData.forRequester(n, seek.requester, ledger.height - 1);
      for (const [txNum, tx] of privateData) withPrivate.getPrivateDataMapMap().set(txNum, tx);
      res.setBlockAndPrivateData(withPrivate);
    }
    await writeWithBackpressure(call, res);
  });
  if (outcome === 'done') await writeWithBackpressure(call, statusResponse(common.Status.SUCCESS));
}

interface SeekRequest {
  start: number;
  stop: number;
  failIfNotReady: boolean;
  requester: Identity;
}

function checkSeekRequest(deps: DeliverDeps, envelope: common.Envelope): SeekRequest {
  const payloadBytes = envelope.getPayload_asU8();
  const payload = decode(() => common.Payload.deserializeBinary(payloadBytes), 'deliver request');
  const header = payload.getHeader();
  if (!header) throw new DevnetError('invalid_argument', 'deliver request has no header');
  const channelHeader = decode(() => common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()), 'channel header');
  const signatureHeader = decode(() => common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8()), 'signature header');
  if (channelHeader.getType() !== common.HeaderType.DELIVER_SEEK_INFO) throw new DevnetError('invalid_argument', 'not a seek request');
  if (channelHeader.getChannelId() !== deps.channelId) throw new DevnetError('not_found', `channel ${channelHeader.getChannelId()} not found`);
  const ts = channelHeader.getTimestamp();
  const sentMs = ts ? ts.getSeconds() * 1000 : 0;
  if (Math.abs(deps.clock().getTime() - sentMs) > TIME_WINDOW_MS)
    throw new DevnetError('invalid_argument', 'seek request timestamp is outside the time window');
  const requester = deps.msps.verify(signatureHeader.getCreator_asU8(), payloadBytes, envelope.getSignature_asU8());
  const info = decode(() => orderer.SeekInfo.deserializeBinary(payload.getData_asU8()), 'seek info');
  const height = deps.ledger.height;
  const start = seekBlock(info.getStart(), height, height);
  const stop = seekBlock(info.getStop(), height, Number.MAX_SAFE_INTEGER);
  if (stop < start) throw new DevnetError('invalid_argument', `stop block ${stop} is before start block ${start}`);
  return { start, stop, failIfNotReady: info.getBehavior() === orderer.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY, requester };
}

function statusResponse(status: common.StatusMap[keyof common.StatusMap]): peer.DeliverResponse {
  const res = new peer.DeliverResponse();
  res.setStatus(status);
  return res;
}

/** Fabric's filtered block: transaction ids, types, validation codes and chaincode events without payloads. */
function filterBlock(block: common.Block, channelId: string): peer.FilteredBlock {
  const number = block.getHeader()!.getNumber();
  const filter = transactionFilter(block);
  const filtered = new peer.FilteredBlock();
  filtered.setChannelId(channelId);
  filtered.setNumber(number);
  if (number === 0) return filtered;
  filtered.setFilteredTransactionsList(
    block
      .getData()!
      .getDataList_asU8()
      .map((bytes, i) => {
        const tx = parseTransaction(bytes);
        const ft = new peer.FilteredTransaction();
        ft.setTxid(tx.txId);
        ft.setType(common.HeaderType.ENDORSER_TRANSACTION);
        ft.setTxValidationCode((filter[i] ?? Code.NOT_VALIDATED) as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
        const actions = new peer.FilteredTransactionActions();
        if (tx.event) {
          const event = new peer.ChaincodeEvent();
          event.setChaincodeId(tx.event.getChaincodeId());
          event.setTxId(tx.event.getTxId());
          event.setEventName(tx.event.getEventName());
          const action = new peer.FilteredChaincodeAction();
          action.setChaincodeEvent(event);
          actions.setChaincodeActionsList([action]);
        }
        ft.setTransactionActions(actions);
        return ft;
      }),
  );
  return filtered;
}
