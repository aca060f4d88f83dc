import { peer } from '@hyperledger/fabric-protos';
import type { MspRegistry } from './msp.js';
import { satisfies, type Policy, type Signer } from './policy.js';
import type { CollectionRegistry } from './collections.js';
import { requiredPolicies, writesAnything } from './endorsement-requirements.js';
import { computeTxId, decodeRwSet } from '@citizen-vault/ledger-format';
import { withHashedNamespaces, type KeyRead, type NamespaceRwSet } from './rwset.js';
import type { ParsedTransaction } from './transaction.js';
import type { CommittedState } from './state-db.js';
import { compareKeys } from './key-order.js';
import type { OwnEndorsements } from './own-endorsements.js';

export const Code = peer.TxValidationCode;

/** Codes given before the transaction id is trusted: such a transaction claims no id, in the block or in the index. */
export const HEADER_FAILURES: ReadonlySet<number> = new Set([Code.BAD_CREATOR_SIGNATURE, Code.TARGET_CHAIN_NOT_FOUND, Code.BAD_PROPOSAL_TXID]);

/** Writes of earlier valid transactions in the block being validated: namespace → key → value (null = delete). */
export type BlockUpdates = Map<string, Map<string, Buffer | null>>;

export interface ValidationContext {
  channelId: string;
  msps: MspRegistry;
  /** Endorsement policy per deployed chaincode. */
  policies: ReadonlyMap<string, Policy>;
  collections: CollectionRegistry;
  /** Endorsements signed by this devnet's own peers, whose verification can be skipped. */
  ownEndorsements?: OwnEndorsements;
  state: CommittedState;
  isCommitted(txId: string): boolean;
}

/**
 * Validates one transaction of a block, in Fabric's order: creator signature and header, duplicate
 * transaction id, endorsement policy of every namespace written, then MVCC read and phantom checks
 * against committed state and the earlier valid transactions of the same block.
 */
export async function validateTransaction(
  tx: ParsedTransaction,
  ctx: ValidationContext,
  blockTxIds: ReadonlySet<string>,
  updates: BlockUpdates,
): Promise<{ code: number; rwSets: NamespaceRwSet[] }> {
  const fail = (code: number): { code: number; rwSets: NamespaceRwSet[] } => ({ code, rwSets: [] });
  if (!tx.creatorSignatureVerified) {
    try {
      ctx.msps.verify(tx.creator, tx.payload, tx.signature);
    } catch {
      return fail(Code.BAD_CREATOR_SIGNATURE);
    }
  }
  if (tx.channelId !== ctx.channelId) return fail(Code.TARGET_CHAIN_NOT_FOUND);
  if (computeTxId(tx.nonce, tx.creator) !== tx.txId) return fail(Code.BAD_PROPOSAL_TXID);
  if (ctx.isCommitted(tx.txId) || blockTxIds.has(tx.txId)) return fail(Code.DUPLICATE_TXID);
  if (!tx.proposalHashMatches) return fail(Code.INVALID_ENDORSER_TRANSACTION);
  if (!ctx.policies.has(tx.chaincodeName)) return fail(Code.INVALID_CHAINCODE);

  let rwSets: NamespaceRwSet[];
  try {
    rwSets = decodeRwSet(tx.rwSet);
  } catch {
    return fail(Code.BAD_RWSET);
  }

  const signers = endorsers(tx, ctx.msps, ctx.ownEndorsements);
  const written = rwSets.filter(writesAnything).map((ns) => ns.namespace);
  for (const namespace of new Set([tx.chaincodeName, ...written])) {
    const policy = ctx.policies.get(namespace);
    const required =
      policy &&
      requiredPolicies(
        rwSets.find((ns) => ns.namespace === namespace),
        policy,
        ctx.collections,
      );
    if (!required || !required.every((p) => satisfies(p, signers))) return fail(Code.ENDORSEMENT_POLICY_FAILURE);
  }
  // Hashed private reads and writes take part in MVCC checks and updates like any other key.
  rwSets = withHashedNamespaces(rwSets);

  for (const ns of rwSets) {
    if (!ns.reads.every((read) => readIsCurrent(ctx.state, updates, ns.namespace, read))) return fail(Code.MVCC_READ_CONFLICT);
  }
  for (const ns of rwSets) {
    for (const range of ns.ranges) {
      if (await isPhantom(ctx.state, updates, ns.namespace, range)) return fail(Code.PHANTOM_READ_CONFLICT);
    }
  }
  return { code: Code.VALID, rwSets };
}

/** The distinct, valid endorser identities whose signatures over the response payload verify. */
function endorsers(tx: ParsedTransaction, msps: MspRegistry, own: OwnEndorsements | undefined): Signer[] {
  const seen = new Set<string>();
  const signers: Signer[] = [];
  for (const e of tx.endorsements) {
    const id = Buffer.from(e.endorser).toString('base64');
    if (seen.has(id)) continue;
    try {
      const identity = own?.take(e.signature, e.endorser, tx.responsePayload)
        ? msps.deserialize(e.endorser) // the identity is still checked: it may have expired since
        : msps.verify(e.endorser, Buffer.concat([tx.responsePayload, e.endorser]), e.signature);
      seen.add(id);
      signers.push({ mspId: identity.mspId, role: identity.role });
    } catch {
      // An endorsement that does not verify simply does not count towards the policy.
    }
  }
  return signers;
}

function readIsCurrent(state: CommittedState, updates: BlockUpdates, namespace: string, read: KeyRead): boolean {
  if (updates.get(namespace)?.has(read.key)) return false;
  const committed = state.get(namespace, read.key)?.version;
  if (!committed || !read.version) return committed === read.version;
  return committed.blockNum === read.version.blockNum && committed.txNum === read.version.txNum;
}

/**
 * Re-runs a recorded range query: the keys and versions must be the same now, and no earlier
 * transaction in this block may have written inside the range. A range closed early is checked up
 * to the last key it returned (inclusive), as in Fabric.
 */
async function isPhantom(
  state: CommittedState,
  updates: BlockUpdates,
  namespace: string,
  range: { startKey: string; endKey: string; itrExhausted: boolean; reads: KeyRead[] },
): Promise<boolean> {
  const last = range.reads[range.reads.length - 1]?.key;
  const inRange = (key: string): boolean => {
    if (compareKeys(key, range.startKey) < 0) return false;
    if (!range.itrExhausted) return last !== undefined && compareKeys(key, last) <= 0;
    return range.endKey === '' || compareKeys(key, range.endKey) < 0;
  };
  for (const key of updates.get(namespace)?.keys() ?? []) if (inRange(key)) return true;
  const limit = range.itrExhausted ? Number.MAX_SAFE_INTEGER : range.reads.length + 1;
  const now = (await state.range(namespace, range.startKey, range.endKey, limit)).filter(([key]) => inRange(key));
  if (now.length !== range.reads.length) return true;
  return now.some(([key, v], i) => {
    const then = range.reads[i]!;
    return key !== then.key || v.version.blockNum !== then.version?.blockNum || v.version.txNum !== then.version?.txNum;
  });
}
