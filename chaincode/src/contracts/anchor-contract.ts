import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { checkMonotonic, type TreeHeadAnchor } from '../rules/anchor-policy.js';
import { canonicalJson } from '../rules/canonical-json.js';
import { ChaincodeError } from '../rules/errors.js';
import { TreeHeadInput, parseInput } from '../rules/schemas.js';
import { LedgerState } from './ledger-state.js';

/** Signed tree heads of the API's verifiable access log: append-only and monotonic in size. */
@Info({ title: 'Access-log anchors', description: 'Signed tree heads of the verifiable access log' })
export class AnchorContract extends Contract {
  constructor() {
    super('anchors');
  }

  @Transaction()
  @Returns('string')
  async AnchorTreeHead(ctx: Context, treeHeadJson: string): Promise<string> {
    const state = new LedgerState(ctx);
    await state.requireOperator();
    const head = parseInput(TreeHeadInput, treeHeadJson, 'tree head');
    const latest = await state.get<TreeHeadAnchor>('treehead-latest');
    if (checkMonotonic(latest, head) === 'same') return canonicalJson(latest);
    const { consistencyProof: _proof, ...value } = head; // checked, not kept: the next head proves itself against this root
    const anchor: TreeHeadAnchor = { ...value, anchoredAt: state.now(), sequence: (latest?.sequence ?? 0) + 1 };
    await state.put('treehead', [sequenceKey(anchor.sequence)], anchor);
    await state.put('treehead-latest', [], anchor);
    state.emit('TreeHeadAnchored', { sequence: anchor.sequence, treeSize: anchor.treeSize, rootHash: anchor.rootHash, at: anchor.anchoredAt });
    return canonicalJson(anchor);
  }

  @Transaction(false)
  @Returns('string')
  async GetLatestTreeHead(ctx: Context): Promise<string> {
    const latest = await new LedgerState(ctx).get<TreeHeadAnchor>('treehead-latest');
    if (!latest) throw new ChaincodeError('not_found', 'no tree head has been anchored yet');
    return canonicalJson(latest);
  }

  /** Anchored tree heads in order, oldest first. */
  @Transaction(false)
  @Returns('string')
  async ListTreeHeads(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    return new LedgerState(ctx).listRecords('treehead', [], 'treehead', pageSize, bookmark);
  }
}

function sequenceKey(n: number): string {
  return String(n).padStart(10, '0'); // not 12: a 12-digit run reads as a citizen identity number
}
