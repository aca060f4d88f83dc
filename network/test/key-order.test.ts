import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../src/devnet/key-order.js';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  it('orders keys exactly as their UTF-8 bytes, as Fabric does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(utf8Order(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('puts characters beyond U+FFFF after U+E000–U+FFFF, unlike JavaScript string order', () => {
    expect('\u{10FFFF}' < '\uFFFD').toBe(true); // UTF-16 order gets this wrong
    expect(compareKeys('\u{10FFFF}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareKeys('\u0000a\u0000', '\u0000a\u0000\u{10FFFF}')).toBeLessThan(0);
  });
});
