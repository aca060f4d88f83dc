import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { common } from '@hyperledger/fabric-protos';
import {
  connect,
  hash,
  CommitError,
  GatewayError,
  type ChaincodeEvent,
  type Checkpoint,
  type CloseableAsyncIterable,
  type Contract,
  type Gateway,
  type Network,
} from '@hyperledger/fabric-gateway';
import { parseChaincodeError } from '@citizen-vault/chaincode/rules';
import { signLowS } from '@citizen-vault/ledger-format';
import { DomainError, type ConvertibleError, type ErrorCode } from '../errors/index.js';

export interface LedgerIdentity {
  endpoint: string;
  hostAlias: string;
  tlsCaPem: string;
  mspId: string;
  certPem: string;
  keyPem: string;
}

/** Chaincode refusals, as the API answers them; any other ledger code is `ledger_error`. */
const AS_DOMAIN: Record<string, ErrorCode> = {
  invalid_argument: 'invalid_request',
  not_found: 'not_found',
  already_exists: 'conflict',
  forbidden: 'forbidden',
  illegal_transition: 'illegal_transition',
  commit_failed: 'conflict',
  product_not_listed: 'product_not_serving',
  buyer_not_verified: 'buyer_not_verified',
  purpose_not_permitted: 'purpose_not_permitted',
  plan_not_found: 'invalid_request',
  duration_exceeded: 'invalid_request',
  ledger_unavailable: 'ledger_unavailable',
  evidence_mismatch: 'passkey_assertion_invalid',
};

/** A ledger failure with a stable code: the chaincode's own (`forbidden`, `illegal_transition`, …) or the ledger's. */
export class LedgerError extends Error implements ConvertibleError {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly transactionId?: string,
  ) {
    super(`${code}: ${detail}`);
  }

  toDomainError(): DomainError {
    return new DomainError(AS_DOMAIN[this.code] ?? 'ledger_error', this.detail, { ledgerCode: this.code });
  }
}

const DEADLINES_MS = { evaluate: 5_000, endorse: 15_000, submit: 5_000, commitStatus: 60_000 };

/**
 * The API's only way to the ledger: `@hyperledger/fabric-gateway` to the devnet or to a real
 * Fabric peer — only the identity and endpoint differ. Signs with node:crypto (low-S ECDSA),
 * which costs a tenth of the gateway's default pure-JS signer.
 */
export class FabricLedger {
  private constructor(
    private readonly client: grpc.Client,
    private readonly gateway: Gateway,
    private readonly network: Network,
    private readonly chaincode: string,
  ) {}

  static connect(identity: LedgerIdentity, channel: string, chaincode: string): FabricLedger {
    const client = new grpc.Client(identity.endpoint, grpc.credentials.createSsl(Buffer.from(identity.tlsCaPem)), {
      'grpc.ssl_target_name_override': identity.hostAlias,
      // Come back promptly when the ledger does: grpc-js backs off up to 120 s between reconnect
      // attempts by default, which left the API refusing for 7–20 s after a peer restarted.
      'grpc.initial_reconnect_backoff_ms': 250,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // Notice a dead connection (a peer killed without a FIN). Fabric peers refuse pings more
      // often than their keepalive minInterval (60 s by default), so not more often than that.
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
    });
    const key = createPrivateKey(identity.keyPem);
    const gateway = connect({
      client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certPem) },
      signer: async (message) => signLowS(key, message),
      hash: hash.none,
      evaluateOptions: () => ({ deadline: Date.now() + DEADLINES_MS.evaluate }),
      endorseOptions: () => ({ deadline: Date.now() + DEADLINES_MS.endorse }),
      submitOptions: () => ({ deadline: Date.now() + DEADLINES_MS.submit }),
      commitStatusOptions: () => ({ deadline: Date.now() + DEADLINES_MS.commitStatus }),
    });
    return new FabricLedger(client, gateway, gateway.getNetwork(channel), chaincode);
  }

  /** Submits a transaction and returns its result once it is committed VALID. */
  async submit(contract: string, fn: string, ...args: string[]): Promise<Uint8Array> {
    try {
      return await this.contract(contract).submitTransaction(fn, ...args);
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  /** Submits a transaction and answers, once it is committed VALID, with its id and block: what an anchor receipt needs. */
  async submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string; blockNumber: number }> {
    try {
      const transaction = await this.contract(contract).newProposal(fn, { arguments: args }).endorse();
      const commit = await transaction.submit();
      const status = await commit.getStatus();
      if (!status.successful) throw new LedgerError('commit_failed', `transaction was not committed (validation code ${status.code})`, status.transactionId);
      return { result: transaction.getResult(), transactionId: status.transactionId, blockNumber: Number(status.blockNumber) };
    } catch (err) {
      throw err instanceof LedgerError ? err : toLedgerError(err);
    }
  }

  /** As `submitWithReceipt`, with a transient map: what the peers need to endorse but the transaction must not keep. */
  async submitTransientWithReceipt(
    contract: string,
    fn: string,
    args: string[],
    transient: Record<string, string>,
  ): Promise<{ result: Uint8Array; transactionId: string; blockNumber: number }> {
    try {
      const transaction = await this.contract(contract).newProposal(fn, { arguments: args, transientData: transient }).endorse();
      const commit = await transaction.submit();
      const status = await commit.getStatus();
      if (!status.successful) throw new LedgerError('commit_failed', `transaction was not committed (validation code ${status.code})`, status.transactionId);
      return { result: transaction.getResult(), transactionId: status.transactionId, blockNumber: Number(status.blockNumber) };
    } catch (err) {
      throw err instanceof LedgerError ? err : toLedgerError(err);
    }
  }

  async evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array> {
    try {
      return await this.contract(contract).evaluateTransaction(fn, ...args);
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  /** The channel's height, through the query system chaincode: answers whether the ledger is reachable. */
  async height(): Promise<number> {
    try {
      const info = await this.network.getContract('qscc').evaluateTransaction('GetChainInfo', this.network.getName());
      return common.BlockchainInfo.deserializeBinary(info).getHeight();
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  /** The chaincode's events from a checkpoint (or from the next commit), as they commit. */
  async chaincodeEvents(checkpoint?: Checkpoint): Promise<CloseableAsyncIterable<ChaincodeEvent>> {
    return this.network.getChaincodeEvents(this.chaincode, checkpoint ? { checkpoint } : { startBlock: 0n });
  }

  /** Whole blocks from `startBlock` on, as they commit (Deliver): what an auditor's read model is built from. */
  async blocks(startBlock: number): Promise<CloseableAsyncIterable<common.Block>> {
    try {
      return await this.network.getBlockEvents({ startBlock: BigInt(startBlock) });
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  close(): void {
    this.gateway.close();
    this.client.close();
  }

  private contract(name: string): Contract {
    return this.network.getContract(this.chaincode, name);
  }
}

function toLedgerError(err: unknown): LedgerError {
  if (err instanceof CommitError) return new LedgerError('commit_failed', `transaction was not committed (validation code ${err.code})`, err.transactionId);
  if (err instanceof GatewayError) {
    for (const d of err.details) {
      const parsed = parseChaincodeError(d.message);
      if (parsed) return new LedgerError(parsed.code, parsed.detail, (err as { transactionId?: string }).transactionId);
    }
    if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) return new LedgerError('ledger_unavailable', err.message);
    // Fabric's gateway says this when the peers its policy needs are down or not yet known to
    // gossip (another organisation's peer restarting): the ledger is unavailable, not wrong.
    if (err.code === grpc.status.FAILED_PRECONDITION && /no combination of peers can be derived|no peers available to evaluate/.test(err.message)) {
      return new LedgerError('ledger_unavailable', err.message);
    }
    return new LedgerError('ledger_error', err.details[0]?.message ?? err.message);
  }
  return new LedgerError('ledger_error', err instanceof Error ? err.message : String(err));
}
