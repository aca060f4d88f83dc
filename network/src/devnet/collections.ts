import { DevnetError } from './errors.js';
import { parsePolicy, satisfies, type Policy, type Signer } from './policy.js';

/** One entry of Fabric's `collections_config.json`, as `peer lifecycle chaincode approveformyorg --collections-config` reads it. */
export interface CollectionConfigJson {
  name: string;
  policy: string;
  requiredPeerCount?: number;
  maxPeerCount?: number;
  blockToLive?: number;
  memberOnlyRead?: boolean;
  memberOnlyWrite?: boolean;
  endorsementPolicy?: { signaturePolicy?: string; channelConfigPolicy?: string };
}

/** A private data collection of one chaincode, resolved against the channel's organisations. */
export interface Collection {
  name: string;
  /** Who is a member: a signature policy of ORs over organisation principals. */
  memberPolicy: Policy;
  /** Organisations named by the member policy: their peers keep the private values. */
  memberOrgs: ReadonlySet<string>;
  requiredPeerCount: number;
  maxPeerCount: number;
  /** Blocks after its commit that a private value is kept; 0 keeps it for ever. */
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
  /** Policy for writes to this collection instead of the chaincode's. */
  endorsementPolicy: Policy | undefined;
  implicit: boolean;
}

export const IMPLICIT_PREFIX = '_implicit_org_';

// core/chaincode/lifecycle/scc.go: collectionNameRegExp
const COLLECTION_NAME = /^[A-Za-z0-9-]+([A-Za-z0-9_-]+)*$/;

/**
 * Fabric's implicit collection of one organisation (core/chaincode/lifecycle/deployedcc_infoprovider.go):
 * members are the organisation's members, anyone may read and write, nothing expires, and writes
 * are endorsed under the organisation's own endorsement policy (its peers).
 */
export function implicitCollection(mspId: string): Collection {
  return {
    name: `${IMPLICIT_PREFIX}${mspId}`,
    memberPolicy: { kind: 'principal', mspId, role: 'member' },
    memberOrgs: new Set([mspId]),
    requiredPeerCount: 0,
    maxPeerCount: 0,
    blockToLive: 0,
    memberOnlyRead: false,
    memberOnlyWrite: false,
    endorsementPolicy: { kind: 'principal', mspId, role: 'peer' },
    implicit: true,
  };
}

/** Parses and checks a chaincode's collection config as Fabric's lifecycle does before it accepts a definition. */
export function parseCollectionsConfig(configs: readonly CollectionConfigJson[], channelMspIds: string[]): Collection[] {
  const seen = new Set<string>();
  return configs.map((c) => {
    const fail = (message: string): never => {
      throw new DevnetError('config', `collection-name: ${c.name} -- ${message}`);
    };
    if (typeof c.name !== 'string' || !COLLECTION_NAME.test(c.name)) {
      throw new DevnetError('config', `invalid collection name '${c.name}'. Names can only consist of alphanumerics, '_', and '-' and cannot begin with '_'`);
    }
    if (seen.has(c.name)) fail('found duplicate in collection configuration');
    seen.add(c.name);
    const required = c.requiredPeerCount ?? 0;
    const max = c.maxPeerCount ?? 0;
    if (!Number.isInteger(required) || required < 0) fail(`requiredPeerCount (${required}) cannot be less than zero`);
    if (!Number.isInteger(max) || max < required) fail(`maximum peer count (${max}) cannot be less than the required peer count (${required})`);
    const btl = c.blockToLive ?? 0;
    if (!Number.isSafeInteger(btl) || btl < 0) fail(`blockToLive (${btl}) must be a whole number of blocks`);
    if (typeof c.policy !== 'string') fail('collection member policy is not set');
    const memberPolicy = parsePolicy(c.policy, channelMspIds);
    const memberOrgs = new Set<string>();
    collectMembers(memberPolicy, memberOrgs, fail);
    for (const mspId of memberOrgs) if (!channelMspIds.includes(mspId)) fail(`collection member ${mspId} is not part of the channel`);
    return {
      name: c.name,
      memberPolicy,
      memberOrgs,
      requiredPeerCount: required,
      maxPeerCount: max,
      blockToLive: btl,
      memberOnlyRead: c.memberOnlyRead ?? false,
      memberOnlyWrite: c.memberOnlyWrite ?? false,
      endorsementPolicy: collectionEndorsementPolicy(c, channelMspIds, fail),
      implicit: false,
    };
  });
}

/** Fabric accepts only ORs of principals as a member policy (validateSpOrConcat). */
function collectMembers(policy: Policy, into: Set<string>, fail: (m: string) => never): void {
  if (policy.kind === 'principal') {
    into.add(policy.mspId);
    return;
  }
  if (policy.n !== 1) fail('error in member org policy: signature policy is not an OR concatenation');
  for (const rule of policy.rules) collectMembers(rule, into, fail);
}

function collectionEndorsementPolicy(c: CollectionConfigJson, mspIds: string[], fail: (m: string) => never): Policy | undefined {
  const ep = c.endorsementPolicy;
  if (!ep) return undefined;
  if (ep.signaturePolicy !== undefined && ep.channelConfigPolicy !== undefined) fail('endorsement policy sets both signaturePolicy and channelConfigPolicy');
  if (ep.signaturePolicy !== undefined) return parsePolicy(ep.signaturePolicy, mspIds);
  if (ep.channelConfigPolicy === undefined) return undefined;
  // The devnet's channel config has one application endorsement policy: MAJORITY of the organisations' peers.
  if (!/^\/?Channel\/Application\/Endorsement$/.test(ep.channelConfigPolicy)) {
    fail(`channelConfigPolicy ${ep.channelConfigPolicy}: the devnet knows only /Channel/Application/Endorsement`);
  }
  return parsePolicy('MAJORITY Endorsement', mspIds);
}

/** The collections of every chaincode on the channel: those of its definition and each organisation's implicit one. */
export class CollectionRegistry {
  private readonly byChaincode = new Map<string, Map<string, Collection>>();

  constructor(
    private readonly channelMspIds: readonly string[],
    explicit: ReadonlyMap<string, readonly Collection[]>,
  ) {
    for (const [chaincode, collections] of explicit) this.byChaincode.set(chaincode, new Map(collections.map((c) => [c.name, c])));
  }

  /** The collection, or undefined when the chaincode defines none by that name. */
  get(chaincode: string, name: string): Collection | undefined {
    if (name.startsWith(IMPLICIT_PREFIX)) {
      const mspId = name.slice(IMPLICIT_PREFIX.length);
      return this.channelMspIds.includes(mspId) ? implicitCollection(mspId) : undefined;
    }
    return this.byChaincode.get(chaincode)?.get(name);
  }

  /** As `get`, or Fabric's error for a name the chaincode's definition does not have. */
  require(chaincode: string, name: string): Collection {
    const collection = this.get(chaincode, name);
    if (!collection) throw new DevnetError('not_found', `collection [${name}] not defined in the collection config for chaincode [${chaincode}]`);
    return collection;
  }
}

/** Whether an identity is a member of the collection (Fabric's collection AccessFilter). */
export function isMember(collection: Collection, identity: Signer): boolean {
  return satisfies(collection.memberPolicy, [identity]);
}
