import { describe, expect, it } from 'vitest';
import { parsePolicy, planEndorsers, satisfies } from '../src/devnet/policy.js';

const ORGS = ['Org1MSP', 'Org2MSP', 'Org3MSP'];
const peer = (mspId: string) => ({ mspId, role: 'peer' as const });

describe('endorsement policies in Fabric notation', () => {
  it('evaluates OR, AND and OutOf over signers', () => {
    const or = parsePolicy("OR('Org1MSP.peer', 'Org2MSP.peer')", ORGS);
    expect(satisfies(or, [peer('Org2MSP')])).toBe(true);
    expect(satisfies(or, [peer('Org3MSP')])).toBe(false);
    const and = parsePolicy("AND('Org1MSP.peer','Org2MSP.peer')", ORGS);
    expect(satisfies(and, [peer('Org1MSP')])).toBe(false);
    expect(satisfies(and, [peer('Org1MSP'), peer('Org2MSP')])).toBe(true);
    const two = parsePolicy("OutOf(2, 'Org1MSP.member', 'Org2MSP.member', 'Org3MSP.member')", ORGS);
    expect(satisfies(two, [peer('Org1MSP'), peer('Org3MSP')])).toBe(true);
    expect(satisfies(two, [peer('Org3MSP')])).toBe(false);
  });

  it('counts one signer towards one principal only', () => {
    const twice = parsePolicy("AND('Org1MSP.member','Org1MSP.member')", ORGS);
    expect(satisfies(twice, [peer('Org1MSP')])).toBe(false);
    expect(satisfies(twice, [peer('Org1MSP'), { mspId: 'Org1MSP', role: 'admin' }])).toBe(true);
  });

  it('matches roles: a client signature does not satisfy a peer principal', () => {
    const p = parsePolicy("OR('Org1MSP.peer')", ORGS);
    expect(satisfies(p, [{ mspId: 'Org1MSP', role: 'client' }])).toBe(false);
  });

  it('reads implicit meta policies over the channel organisations', () => {
    expect(satisfies(parsePolicy('ANY Endorsement', ORGS), [peer('Org3MSP')])).toBe(true);
    const majority = parsePolicy('MAJORITY Endorsement', ORGS);
    expect(satisfies(majority, [peer('Org1MSP')])).toBe(false);
    expect(satisfies(majority, [peer('Org1MSP'), peer('Org3MSP')])).toBe(true);
    expect(satisfies(parsePolicy('ALL Endorsement', ORGS), [peer('Org1MSP'), peer('Org2MSP')])).toBe(false);
  });

  it("plans the fewest endorsing organisations, preferring the client's own", () => {
    expect(planEndorsers(parsePolicy('ANY Endorsement', ORGS), ORGS, 'Org2MSP')).toEqual(['Org2MSP']);
    expect(planEndorsers(parsePolicy('MAJORITY Endorsement', ORGS), ORGS, 'Org3MSP')).toContain('Org3MSP');
    expect(planEndorsers(parsePolicy('MAJORITY Endorsement', ORGS), ORGS, 'Org3MSP')).toHaveLength(2);
  });

  it('refuses malformed policies with a message that says where', () => {
    expect(() => parsePolicy("OR('Org1MSP.peer'", ORGS)).toThrow(/expected '\)'/);
    expect(() => parsePolicy("XOR('Org1MSP.peer')", ORGS)).toThrow(/unknown operator XOR/);
    expect(() => parsePolicy("OR('Org1MSP.king')", ORGS)).toThrow(/role member, admin, client, peer or orderer/);
  });
});
