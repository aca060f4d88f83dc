import type { KeyObject } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import type { ChaincodeOutcome, ChaincodeProcess, ExecutionContext } from './chaincode-runtime.js';
import type { CollectionRegistry } from './collections.js';
import { DevnetError } from './errors.js';
import type { Ledger } from './ledger.js';
import type { CheckedProposal } from './proposal.js';
import { encodeRwSet } from './rwset.js';
import { signLowSAsync } from '@citizen-vault/ledger-format';
import { TxSimulator } from './simulator.js';
import type { OwnEndorsements } from './own-endorsements.js';

/** Chaincode responses from this status up are errors (the shim's ERRORTHRESHOLD). */
const ERROR_THRESHOLD = 400;

/** One organisation's peer: its signing identity and its running chaincodes. */
export interface PeerNode {
  mspId: string;
  address: string;
  /** Serialized `msp.SerializedIdentity` of the peer's signing certificate. */
  identity: Uint8Array;
  signingKey: KeyObject;
  chaincodes: ReadonlyMap<string, ChaincodeProcess>;
}

export interface ChaincodeDefinition {
  name: string;
  version: string;
}

/** A failure at one peer, carried to the client as a Fabric `ErrorDetail`. */
export class EndorsementError extends DevnetError {
  constructor(
    readonly peer: PeerNode,
    message: string,
    readonly chaincodeStatus?: number,
    /** `collect`: the first endorsement succeeded and a later one failed, which Fabric's gateway reports differently. */
    readonly stage: 'first' | 'collect' = 'first',
  ) {
    super('chaincode_failed', message);
  }
}

/** One peer's simulation of a proposal: its signed-over payload and what it touched. */
export interface Simulation {
  node: PeerNode;
  outcome: ChaincodeOutcome;
  responsePayload: Uint8Array;
  simulator: TxSimulator;
}

/** Executes proposals on peers and assembles endorsed transactions, as Fabric's endorser and gateway do. */
export class Endorser {
  constructor(
    private readonly ledger: Ledger,
    private readonly definitions: ReadonlyMap<string, ChaincodeDefinition>,
    private readonly collections: CollectionRegistry,
    /** Organisations with a peer on the channel: where private data can be disseminated. */
    private readonly peerOrgs: readonly string[],
    private readonly ownEndorsements?: OwnEndorsements,
  ) {}

  /** Runs the proposal on one peer and returns the chaincode's response; nothing is recorded. */
  async evaluate(proposal: CheckedProposal, node: PeerNode): Promise<peer.Response> {
    const { outcome } = await this.simulate(proposal, node);
    return outcome.response;
  }

  /**
   * Runs the proposal on each peer, requires identical results, and returns the prepared (unsigned)
   * transaction envelope carrying every peer's endorsement.
   */
  async endorse(proposal: CheckedProposal, nodes: readonly PeerNode[]): Promise<common.Envelope> {
    return this.assemble(proposal, await this.simulateAll(proposal, nodes));
  }

  /** Simulates on each peer; waits for every peer, as Fabric's gateway does, so a failure is reported only once all have answered. */
  async simulateAll(proposal: CheckedProposal, nodes: readonly PeerNode[]): Promise<Simulation[]> {
    const settled = await Promise.allSettled(nodes.map((node) => this.simulate(proposal, node)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<Simulation>).value);
  }

  /** Requires identical results and returns the prepared (unsigned) transaction carrying every peer's endorsement. */
  async assemble(proposal: CheckedProposal, results: readonly Simulation[]): Promise<common.Envelope> {
    const first = results[0];
    if (!first) throw new DevnetError('endorsement_unsatisfiable', 'no peer to endorse the proposal');
    for (const r of results) {
      if (!Buffer.from(r.responsePayload).equals(Buffer.from(first.responsePayload))) {
        // Fabric's gateway names the peer whose response differs from the first one's.
        throw new EndorsementError(r.node, 'ProposalResponsePayloads do not match', undefined, 'collect');
      }
    }
    const endorsements = await Promise.all(
      results.map(async ({ node, responsePayload }) => {
        const e = new peer.Endorsement();
        e.setEndorser(node.identity);
        const signature = await signLowSAsync(node.signingKey, Buffer.concat([responsePayload, node.identity]));
        e.setSignature(signature);
        this.ownEndorsements?.remember(signature, node.identity, responsePayload);
        return e;
      }),
    );
    return prepareTransaction(proposal, first.responsePayload, endorsements);
  }

  async simulate(proposal: CheckedProposal, node: PeerNode): Promise<Simulation> {
    const simulator = new TxSimulator(this.ledger.state, { txId: proposal.txId, privateView: this.ledger.privateData.view(node.mspId) });
    const run = (name: string, input: Uint8Array): Promise<ChaincodeOutcome> => {
      const process = node.chaincodes.get(name);
      if (!process) throw new DevnetError('not_found', `chaincode ${name} is not deployed on channel ${this.ledger.channelId}`);
      return process.execute(proposal.channelId, proposal.txId, proposal.signedProposal, input, context);
    };
    const context: ExecutionContext = { simulator, invoke: run, privateAccess: { collections: this.collections, creator: proposal.creator } };
    let outcome: ChaincodeOutcome;
    try {
      outcome = await run(proposal.chaincodeName, proposal.input);
    } catch (err) {
      if (err instanceof DevnetError && err.code === 'not_found') throw err;
      throw new EndorsementError(node, err instanceof Error ? err.message : String(err));
    }
    const status = outcome.response.getStatus();
    if (status >= ERROR_THRESHOLD) {
      throw new EndorsementError(node, `chaincode response ${status}, ${outcome.response.getMessage()}`, status);
    }
    const privateWrites = simulator.privateData.privateWrites();
    for (const { namespace, collection } of privateWrites) this.checkDissemination(proposal, node, namespace, collection);
    this.ledger.privateData.keepTransient(proposal.txId, privateWrites, this.ledger.height);
    const event = outcome.event;
    if (event) {
      event.setChaincodeId(proposal.chaincodeName);
      event.setTxId(proposal.txId);
    }
    const definition = this.definitions.get(proposal.chaincodeName);
    const chaincodeId = new peer.ChaincodeID();
    chaincodeId.setName(proposal.chaincodeName);
    chaincodeId.setVersion(definition?.version ?? '');
    const action = new peer.ChaincodeAction();
    action.setResults(encodeRwSet(simulator.rwSets()));
    if (event) action.setEvents(event.serializeBinary());
    action.setResponse(outcome.response);
    action.setChaincodeId(chaincodeId);
    const prp = new peer.ProposalResponsePayload();
    prp.setProposalHash(proposal.proposalHash);
    prp.setExtension$(action.serializeBinary());
    return { node, outcome, simulator, responsePayload: prp.serializeBinary() };
  }

  /** gossip/privdata/distributor.go: the endorsing peer must reach `requiredPeerCount` other member peers. */
  private checkDissemination(proposal: CheckedProposal, node: PeerNode, namespace: string, name: string): void {
    const collection = this.collections.require(namespace, name);
    const eligible = this.peerOrgs.filter((mspId) => mspId !== node.mspId && collection.memberOrgs.has(mspId)).length;
    if (collection.requiredPeerCount > eligible) {
      throw new EndorsementError(
        node,
        // The wrapping of endorser.go, gossip_service.go and distributor.go, outermost first.
        `error in simulation: failed to distribute private collection, txID ${proposal.txId}, channel ${proposal.channelId}: ` +
          `could not build private data dissemination plan for chaincode ${namespace} and collection ${name}: ` +
          `required to disseminate to at least ${collection.requiredPeerCount} peers, but know of only ${eligible} eligible peers`,
      );
    }
  }
}

/** Fabric's gateway `prepareTransaction`: the endorsed transaction, for the client to sign. */
function prepareTransaction(proposal: CheckedProposal, responsePayload: Uint8Array, endorsements: peer.Endorsement[]): common.Envelope {
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayload);
  endorsed.setEndorsementsList(endorsements);
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposal.payloadWithoutTransient);
  actionPayload.setAction(endorsed);
  const action = new peer.TransactionAction();
  action.setHeader(proposal.signatureHeaderBytes);
  action.setPayload(actionPayload.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([action]);
  const header = new common.Header();
  header.setChannelHeader(proposal.channelHeaderBytes);
  header.setSignatureHeader(proposal.signatureHeaderBytes);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}
