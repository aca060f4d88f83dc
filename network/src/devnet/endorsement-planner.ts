import type { common } from '@hyperledger/fabric-protos';
import type { CollectionRegistry } from './collections.js';
import { requiredPolicies, writesAnything } from './endorsement-requirements.js';
import type { Endorser, PeerNode, Simulation } from './endorser.js';
import { DevnetError } from './errors.js';
import { planEndorsers, satisfies, type Policy } from './policy.js';
import type { CheckedProposal } from './proposal.js';

export interface PlannerDeps {
  endorser: Endorser;
  policies: ReadonlyMap<string, Policy>;
  collections: CollectionRegistry;
  peers: ReadonlyMap<string, PeerNode>;
}

/**
 * Chooses the endorsing organisations and collects their endorsements, as Fabric's gateway does
 * (internal/pkg/gateway/endorse.go). Without transient data, the chaincode's policy picks the peers
 * up front and they run in parallel; organisations that collection endorsement policies add are
 * asked afterwards. With transient data, the gateway's own organisation endorses first, and the
 * others are chosen only among the members of every collection the simulation touched, so private
 * input never reaches a non-member.
 */
export async function endorseProposal(deps: PlannerDeps, proposal: CheckedProposal, requested: readonly string[]): Promise<common.Envelope> {
  const peerFor = (mspId: string): PeerNode => {
    const node = deps.peers.get(mspId);
    if (!node) throw new DevnetError('not_found', `no peer of organisation ${mspId} on the channel`);
    return node;
  };
  const { endorser } = deps;
  if (requested.length > 0) return endorser.endorse(proposal, requested.map(peerFor));
  const all = [...deps.peers.keys()];
  const creatorOrg = proposal.creator.mspId;

  if (!proposal.hasTransientData) {
    const orgs = planEndorsers(deps.policies.get(proposal.chaincodeName)!, all, creatorOrg);
    const sims = await endorser.simulateAll(proposal, orgs.map(peerFor));
    const needed = plan(policiesFor(deps, proposal, sims[0]!), all, orgs);
    const extra = needed.filter((org) => !orgs.includes(org));
    if (extra.length > 0) sims.push(...(await endorser.simulateAll(proposal, extra.map(peerFor))));
    return endorser.assemble(proposal, sims);
  }

  if (!deps.peers.has(creatorOrg)) {
    throw new DevnetError('endorsement_unsatisfiable', "no endorsers found in the gateway's organization; retry specifying endorsing organization(s) to protect transient data");
  }
  const [first] = await endorser.simulateAll(proposal, [peerFor(creatorOrg)]);
  const policies = policiesFor(deps, proposal, first!);
  const touched = first!.simulator.privateData.touched();
  const members = all.filter((org) => touched.every((t) => deps.collections.get(t.namespace, t.collection)?.memberOrgs.has(org) ?? false));
  let orgs: string[];
  try {
    orgs = plan(policies, members, [creatorOrg]);
  } catch (err) {
    if (touched.length > 0 && tryPlan(policies, all, [creatorOrg])) {
      const names = [...new Set(touched.map((t) => t.collection))].join(' ');
      throw new DevnetError(
        'endorsement_unsatisfiable',
        `requires endorsement from organisation(s) that are not in the distribution policy of the private data collection(s): [${names}]; retry specifying trusted endorsing organizations to protect transient data`,
      );
    }
    throw err;
  }
  const rest = orgs.filter((org) => org !== creatorOrg);
  return endorser.assemble(proposal, [first!, ...(await endorser.simulateAll(proposal, rest.map(peerFor)))]);
}

/** Every policy the simulated writes must satisfy, per namespace written (and the chaincode's own). */
function policiesFor(deps: PlannerDeps, proposal: CheckedProposal, sim: Simulation): Policy[] {
  const rwSets = sim.simulator.rwSets();
  const namespaces = new Set([proposal.chaincodeName, ...rwSets.filter(writesAnything).map((ns) => ns.namespace)]);
  const out: Policy[] = [];
  for (const namespace of namespaces) {
    const policy = deps.policies.get(namespace);
    if (!policy) continue;
    out.push(...(requiredPolicies(rwSets.find((ns) => ns.namespace === namespace), policy, deps.collections) ?? [policy]));
  }
  return out;
}

/**
 * The smallest set of organisations, including `chosen`, whose peers satisfy every policy, each
 * evaluated on its own as Fabric's validator does.
 */
function plan(policies: readonly Policy[], candidates: readonly string[], chosen: readonly string[]): string[] {
  const found = tryPlan(policies, candidates, chosen);
  if (!found) throw new DevnetError('endorsement_unsatisfiable', "no set of the channel's peers can satisfy the endorsement policy");
  return found;
}

function tryPlan(policies: readonly Policy[], candidates: readonly string[], chosen: readonly string[]): string[] | undefined {
  const others = candidates.filter((org) => !chosen.includes(org));
  const subsets: string[][] = [];
  for (let mask = 0; mask < 1 << others.length; mask++) subsets.push(others.filter((_, i) => mask & (1 << i)));
  subsets.sort((a, b) => a.length - b.length);
  for (const subset of subsets) {
    const orgs = [...chosen, ...subset];
    const signers = orgs.map((mspId) => ({ mspId, role: 'peer' as const }));
    if (policies.every((p) => satisfies(p, signers))) return orgs;
  }
  return undefined;
}
