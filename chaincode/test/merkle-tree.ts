import { createHash } from 'node:crypto';

// A naive RFC 6962 tree over whole leaf lists, for tests: roots and consistency proofs straight
// from the RFC's recursive definitions.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

export function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.of(0), d[0]!);
  const k = split(d.length);
  return sha(Buffer.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
}

export function consistencyProof(m: number, d: Buffer[], whole = true): Buffer[] {
  if (m === d.length) return whole ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k ? [...consistencyProof(m, d.slice(0, k), whole), mth(d.slice(k))] : [...consistencyProof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

/** A log of `n` leaves `entry 0`, `entry 1`, …, with a tag so two logs can differ. */
export function testLog(n: number, tag = ''): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(`${tag}entry ${i}`));
}
