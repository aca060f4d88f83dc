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
 * (internal/pkg/gateway/endorse.go planFromFirstEndorser): the gateway's own organisation (the
 * client's) endorses first; its simulation says which collections were touched and which policies
 * the writes need; the other endorsers are then planned, among members only of the collections that
 * were read, or of every collection touched when the proposal carries transient data, so private
 * input never reaches a non-member. Without transient data the devnet runs the chaincode policy's
 * own choice of peers in parallel with the first, and keeps those results the plan needs.
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
  const transient = proposal.hasTransientData;
  if (transient && !deps.peers.has(proposal.creator.mspId)) {
    throw new DevnetError(
      'endorsement_unsatisfiable',
      "no endorsers found in the gateway's organization; retry specifying endorsing organization(s) to protect transient data",
    );
  }
  const early = transient ? [proposal.creator.mspId] : planEndorsers(deps.policies.get(proposal.chaincodeName)!, all, proposal.creator.mspId);
  const firstOrg = deps.peers.has(proposal.creator.mspId) ? proposal.creator.mspId : early[0]!;
  const settled = new Map<string, PromiseSettledResult<Simulation>>();
  const results = await Promise.allSettled(early.map((org) => endorser.simulate(proposal, peerFor(org))));
  results.forEach((r, i) => settled.set(early[i]!, r));
  const first = settled.get(firstOrg)!;
  if (first.status === 'rejected') throw first.reason;

  const policies = policiesFor(deps, proposal, first.value);
  const touched = first.value.simulator.privateData.touched();
  const protectedCollections = touched.filter((t) => transient || t.read);
  const members = all.filter((org) => protectedCollections.every((t) => deps.collections.get(t.namespace, t.collection)?.memberOrgs.has(org) ?? false));
  const orgs = tryPlan(policies, members, [firstOrg]);
  if (!orgs) {
    if (transient && protectedCollections.length > 0 && tryPlan(policies, all, [firstOrg])) {
      const names = [...new Set(protectedCollections.map((t) => t.collection))].join(' ');
      throw new DevnetError(
        'endorsement_unsatisfiable',
        `requires endorsement from organisation(s) that are not in the distribution policy of the private data collection(s): [${names}]; retry specifying trusted endorsing organizations to protect transient data`,
      );
    }
    throw new DevnetError('endorsement_unsatisfiable', "no set of the channel's peers can satisfy the endorsement policy");
  }
  const missing = orgs.filter((org) => !settled.has(org));
  const more = await Promise.allSettled(missing.map((org) => endorser.simulate(proposal, peerFor(org))));
  more.forEach((r, i) => settled.set(missing[i]!, r));
  const sims = orgs.map((org) => settled.get(org)!);
  const failed = sims.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return endorser.assemble(
    proposal,
    sims.map((s) => (s as PromiseFulfilledResult<Simulation>).value),
  );
}

/** Every policy the simulated writes must satisfy, per namespace written (and the chaincode's own). */
function policiesFor(deps: PlannerDeps, proposal: CheckedProposal, sim: Simulation): Policy[] {
  const rwSets = sim.simulator.rwSets();
  const namespaces = new Set([proposal.chaincodeName, ...rwSets.filter(writesAnything).map((ns) => ns.namespace)]);
  const out: Policy[] = [];
  for (const namespace of namespaces) {
    const policy = deps.policies.get(namespace);
    if (!policy) continue;
    out.push(
      ...(requiredPolicies(
        rwSets.find((ns) => ns.namespace === namespace),
        policy,
        deps.collections,
      ) ?? [policy]),
    );
  }
  return out;
}

/**
 * The smallest set of organisations, including `chosen`, whose peers satisfy every policy, each
 * evaluated on its own as Fabric's validator does.
 */
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
