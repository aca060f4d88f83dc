import type { CollectionRegistry } from './collections.js';
import type { Policy } from './policy.js';
import type { NamespaceRwSet } from './rwset.js';

/**
 * The endorsement policies a namespace's writes must satisfy, as Fabric's v2.0 validation plugin
 * decides them (core/common/validation/statebased/validator_keylevel.go): the chaincode's policy
 * for public writes, a collection's own endorsement policy (else the chaincode's) for writes to it,
 * and the chaincode's policy when nothing was written. Undefined when the read-write set names a
 * collection the chaincode does not have.
 */
export function requiredPolicies(rwSet: NamespaceRwSet | undefined, chaincodePolicy: Policy, collections: CollectionRegistry): Policy[] | undefined {
  const required = new Set<Policy>();
  if (rwSet && rwSet.writes.length > 0) required.add(chaincodePolicy);
  for (const hashed of rwSet?.collections ?? []) {
    const collection = collections.get(rwSet!.namespace, hashed.collection);
    if (!collection) return undefined;
    if (hashed.writes.length > 0) required.add(collection.endorsementPolicy ?? chaincodePolicy);
  }
  if (required.size === 0) required.add(chaincodePolicy);
  return [...required];
}

/** Whether the namespace's read-write set writes anything, publicly or to a collection. */
export function writesAnything(rwSet: NamespaceRwSet): boolean {
  return rwSet.writes.length > 0 || (rwSet.collections ?? []).some((c) => c.writes.length > 0);
}
