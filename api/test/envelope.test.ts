import { describe, expect, it } from 'vitest';
import { newDataKey, open, seal } from '../src/infra/aead.js';
import { fieldBinding } from '../src/vault/envelope.js';

describe('field envelopes (XChaCha20-Poly1305)', () => {
  const key = newDataKey();
  const binding = fieldBinding('s-1', 'r-1', 'cardNumber', 1, 'health_insurance', 'o-1');

  it('opens what it sealed, with a fresh nonce each time', () => {
    const a = seal(key, Buffer.from('"HN401"'), binding);
    const b = seal(key, Buffer.from('"HN401"'), binding);
    expect(a.equals(b)).toBe(false);
    expect(Buffer.from(open(key, a, binding)).toString()).toBe('"HN401"');
  });

  it('refuses a value moved to another subject, record, category, custodian, field or version, or opened with another key', () => {
    const sealed = seal(key, Buffer.from('"HN401"'), binding);
    for (const other of [
      fieldBinding('s-2', 'r-1', 'cardNumber', 1, 'health_insurance', 'o-1'),
      fieldBinding('s-1', 'r-2', 'cardNumber', 1, 'health_insurance', 'o-1'),
      fieldBinding('s-1', 'r-1', 'cardNumber', 1, 'driving_licence', 'o-1'),
      fieldBinding('s-1', 'r-1', 'cardNumber', 1, 'health_insurance', 'o-2'),
      fieldBinding('s-1', 'r-1', 'status', 1, 'health_insurance', 'o-1'),
      fieldBinding('s-1', 'r-1', 'cardNumber', 2, 'health_insurance', 'o-1'),
    ]) {
      expect(() => open(key, sealed, other)).toThrow();
    }
    expect(() => open(newDataKey(), sealed, binding)).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => open(key, flipped, binding)).toThrow();
  });
});
