import { describe, expect, it } from 'vitest';
import { OwnEndorsements } from '../src/devnet/own-endorsements.js';

const bytes = (s: string): Buffer => Buffer.from(s);

describe('OwnEndorsements', () => {
  it('recognises an endorsement signed here once, byte for byte', () => {
    const own = new OwnEndorsements();
    own.remember(bytes('sig'), bytes('peer0.org1'), bytes('payload'));
    expect(own.take(bytes('sig'), bytes('peer0.org1'), bytes('payload'))).toBe(true);
    expect(own.take(bytes('sig'), bytes('peer0.org1'), bytes('payload'))).toBe(false);
  });

  it('does not vouch for a payload or an endorser changed after signing', () => {
    const own = new OwnEndorsements();
    own.remember(bytes('sig'), bytes('peer0.org1'), bytes('payload'));
    expect(own.take(bytes('sig'), bytes('peer0.org1'), bytes('payloaX'))).toBe(false);
    own.remember(bytes('sig'), bytes('peer0.org1'), bytes('payload'));
    expect(own.take(bytes('sig'), bytes('peer0.org2'), bytes('payload'))).toBe(false);
    expect(own.take(bytes('other'), bytes('peer0.org1'), bytes('payload'))).toBe(false);
  });

  it('forgets the oldest endorsements beyond its limit', () => {
    const own = new OwnEndorsements(2);
    for (const s of ['a', 'b', 'c']) own.remember(bytes(s), bytes('p'), bytes('x'));
    expect(own.take(bytes('a'), bytes('p'), bytes('x'))).toBe(false);
    expect(own.take(bytes('c'), bytes('p'), bytes('x'))).toBe(true);
  });
});
