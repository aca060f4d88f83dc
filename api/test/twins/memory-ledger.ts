import { randomBytes } from 'node:crypto';
import {
  ChaincodeError,
  checkMonotonic,
  newConsent,
  transitionConsent,
  type Consent,
  type ConsentAction,
  type TreeHeadAnchor,
  type TreeHeadValue,
} from '@citizen-vault/chaincode/rules';
import type { LogLedger } from '../../src/audit/index.js';
import type { ConsentLedger } from '../../src/consent/index.js';
import { LedgerError } from '../../src/ledger/fabric-ledger.js';
import type { VaultLedger } from '../../src/vault/index.js';

const ACTIONS: Record<string, Exclude<ConsentAction, 'expire'>> = {
  ApproveConsent: 'approve',
  RejectConsent: 'reject',
  PauseConsent: 'pause',
  ResumeConsent: 'resume',
  RevokeConsent: 'revoke',
};

/** What the next submit does instead of committing normally. */
type Fault =
  /** The ledger refuses: nothing is committed. */
  | { kind: 'refuse'; code: string }
  /** The ledger does not answer, and nothing is committed. */
  | { kind: 'unavailable' }
  /** The transaction commits, but its answer is lost (the client sees `ledger_unavailable`). */
  | { kind: 'lost-answer' };

/**
 * The ledger in memory, for unit tests: the consent lifecycle by the chaincode's own pure rules
 * (`newConsent`, `transitionConsent`) and commitments anchored once each. Refusals come back as
 * the Fabric adapter raises them (`LedgerError` with the chaincode's code); faults can be injected
 * for the next submit, and `onSubmit` lets a test look at the world at the moment a transaction
 * reaches the ledger.
 */
export class MemoryLedger implements ConsentLedger, VaultLedger, LogLedger {
  readonly consents = new Map<string, Consent>();
  readonly commitments = new Map<string, { txId: string; anchoredAt: string; commitment: string }>();
  /** Tree heads anchored, oldest first (the `anchors` contract, by the chaincode's own `checkMonotonic`). */
  readonly anchors: TreeHeadAnchor[] = [];
  readonly submitted: { fn: string; args: string[]; transactionId: string }[] = [];
  private fault: Fault | undefined;
  onSubmit: ((fn: string, args: string[]) => Promise<void> | void) | undefined;

  constructor(private readonly now: () => Date = () => new Date()) {}

  failNextSubmit(fault: Fault): void {
    this.fault = fault;
  }

  async submitWithReceipt(contract: string, fn: string, ...args: string[]): Promise<{ result: Uint8Array; transactionId: string; blockNumber: number }> {
    await this.onSubmit?.(fn, args);
    const fault = this.fault;
    this.fault = undefined;
    if (fault?.kind === 'refuse') throw new LedgerError(fault.code, 'refused by the test');
    if (fault?.kind === 'unavailable') throw new LedgerError('ledger_unavailable', 'no answer');
    const transactionId = randomBytes(32).toString('hex');
    const result = Buffer.from(JSON.stringify(this.apply(contract, fn, args, transactionId)));
    this.submitted.push({ fn, args, transactionId });
    if (fault?.kind === 'lost-answer') throw new LedgerError('ledger_unavailable', 'committed, but the answer was lost');
    return { result, transactionId, blockNumber: this.submitted.length };
  }

  async evaluate(contract: string, fn: string, ...args: string[]): Promise<Uint8Array> {
    if (contract === 'consent' && fn === 'GetConsent') return Buffer.from(JSON.stringify(this.consent(args[0]!)));
    if (contract === 'commitments' && fn === 'GetCommitment') {
      const anchored = this.commitments.get(`${args[0]}/${args[1]}`);
      if (!anchored) throw new LedgerError('not_found', `commitment ${args[0]} v${args[1]} does not exist`);
      return Buffer.from(JSON.stringify(anchored));
    }
    if (contract === 'anchors' && fn === 'GetLatestTreeHead') {
      const latest = this.anchors.at(-1);
      if (!latest) throw new LedgerError('not_found', 'no tree head has been anchored yet');
      return Buffer.from(JSON.stringify(latest));
    }
    if (contract === 'anchors' && fn === 'ListTreeHeads') return Buffer.from(JSON.stringify({ items: this.anchors, bookmark: '' }));
    throw new Error(`the memory ledger does not evaluate ${contract}.${fn}`);
  }

  private apply(contract: string, fn: string, args: string[], txId: string): unknown {
    const at = this.now().toISOString();
    try {
      if (contract === 'consent' && fn === 'RequestConsent') {
        const request = JSON.parse(args[0]!) as Consent;
        if (this.consents.has(request.id)) throw new ChaincodeError('already_exists', `consent ${request.id} exists`);
        const consent = newConsent(request, 'TestMSP', at);
        this.consents.set(consent.id, consent);
        return consent;
      }
      const action = contract === 'consent' ? ACTIONS[fn] : undefined;
      if (action) {
        const granted = action === 'approve' && args[1] ? (JSON.parse(args[1]) as string[]) : undefined;
        const next = transitionConsent(this.consent(args[0]!), action, at, granted);
        this.consents.set(next.id, next);
        return next;
      }
      if (contract === 'anchors' && fn === 'AnchorTreeHead') {
        const head = JSON.parse(args[0]!) as TreeHeadValue;
        const latest = this.anchors.at(-1);
        if (checkMonotonic(latest, head) === 'same') return latest;
        const { consistencyProof: _proof, ...value } = head;
        const anchor = { ...value, anchoredAt: at, sequence: this.anchors.length + 1 };
        this.anchors.push(anchor);
        return anchor;
      }
      if (contract === 'commitments' && fn === 'AnchorCommitment') {
        const c = JSON.parse(args[0]!) as { recordId: string; version: number; commitment: string };
        const key = `${c.recordId}/${c.version}`;
        if (this.commitments.has(key)) throw new ChaincodeError('already_exists', `commitment ${key} exists`);
        this.commitments.set(key, { txId, anchoredAt: at, commitment: c.commitment });
        return { ...c, anchoredAt: at };
      }
    } catch (err) {
      if (err instanceof ChaincodeError) throw new LedgerError(err.code, err.detail);
      throw err;
    }
    throw new Error(`the memory ledger does not submit ${contract}.${fn}`);
  }

  private consent(id: string): Consent {
    const consent = this.consents.get(id);
    if (!consent) throw new LedgerError('not_found', `consent ${id} does not exist`);
    return consent;
  }
}
