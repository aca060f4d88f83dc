import { describe, expect, it } from 'vitest';
import { collectionsConfigFromJson } from '../src/devnet/collections-config.js';
import { CollectionRegistry, isMember, parseCollectionsConfig, type CollectionConfigJson } from '../src/devnet/collections.js';

const ORGS = ['Org1MSP', 'Org2MSP'];
const base: CollectionConfigJson = { name: 'assetCollection', policy: "OR('Org1MSP.member', 'Org2MSP.member')", requiredPeerCount: 1, maxPeerCount: 1 };
const parse = (overrides: Partial<CollectionConfigJson>) => parseCollectionsConfig([{ ...base, ...overrides }], ORGS);

describe("private data collection configs, checked as Fabric's lifecycle checks them", () => {
  it("reads fabric-samples' collections_config.json format", () => {
    const [c] = collectionsConfigFromJson([
      { ...base, blockToLive: 1000000, memberOnlyRead: true, memberOnlyWrite: true, endorsementPolicy: { signaturePolicy: "OR('Org1MSP.member')" } },
    ]).map((json) => parseCollectionsConfig([json], ORGS)[0]!);
    expect(c).toMatchObject({ name: 'assetCollection', blockToLive: 1000000, memberOnlyRead: true, memberOnlyWrite: true, implicit: false });
    expect([...c!.memberOrgs]).toEqual(ORGS);
    expect(c!.endorsementPolicy).toEqual({ kind: 'outOf', n: 1, rules: [{ kind: 'principal', mspId: 'Org1MSP', role: 'member' }] });
  });

  it('refuses what Fabric refuses', () => {
    expect(() => parse({ name: '_private' })).toThrow(/cannot begin with '_'/);
    expect(() => parseCollectionsConfig([base, base], ORGS)).toThrow(/found duplicate/);
    expect(() => parse({ requiredPeerCount: 2, maxPeerCount: 1 })).toThrow(/maximum peer count \(1\) cannot be less than the required peer count \(2\)/);
    expect(() => parse({ policy: "AND('Org1MSP.member', 'Org2MSP.member')" })).toThrow(/not an OR concatenation/);
    expect(() => parse({ policy: "OR('Org9MSP.member')" })).toThrow(/Org9MSP is not part of the channel/);
  });

  it('refuses a config whose fields have the wrong JSON types', () => {
    expect(() => collectionsConfigFromJson({ name: 'x' })).toThrow(/JSON array/);
    expect(() => collectionsConfigFromJson([{ ...base, memberOnlyRead: 'true' }])).toThrow(/memberOnlyRead must be true or false/);
    expect(() => collectionsConfigFromJson([{ ...base, blockToLive: 1.5 }])).toThrow(/blockToLive must be a whole number/);
  });

  it('gives every organisation an implicit collection that only its peers keep and its peers endorse', () => {
    const registry = new CollectionRegistry(ORGS, new Map());
    const implicit = registry.require('assets', '_implicit_org_Org2MSP');
    expect([...implicit.memberOrgs]).toEqual(['Org2MSP']);
    expect(implicit).toMatchObject({ memberOnlyRead: false, memberOnlyWrite: false, blockToLive: 0 });
    expect(implicit.endorsementPolicy).toEqual({ kind: 'principal', mspId: 'Org2MSP', role: 'peer' });
    expect(isMember(implicit, { mspId: 'Org2MSP', role: 'client' })).toBe(true);
    expect(isMember(implicit, { mspId: 'Org1MSP', role: 'client' })).toBe(false);
    expect(() => registry.require('assets', '_implicit_org_Org9MSP')).toThrow(/collection \[_implicit_org_Org9MSP\] not defined/);
  });
});
