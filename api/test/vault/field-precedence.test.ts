import { describe, expect, it } from 'vitest';
import { inServingOrder } from '../../src/vault/index.js';

const row = (record_id: string, custodian_org_id: string, at: number) => ({ record_id, custodian_org_id, created_at: new Date(at) });
/** What a reader that lets later rows overwrite earlier ones serves. */
const served = (rows: ReturnType<typeof row>[]) => inServingOrder(rows).at(-1)!.record_id;

describe('which custodian’s value of a field is served', () => {
  it('serves the most recent statement, whatever order the rows come in', () => {
    const old = row('r1', 'a', 1000);
    const corrected = row('r2', 'b', 5000);
    const middle = row('r3', 'c', 3000);
    expect(served([old, corrected, middle])).toBe('r2');
    expect(served([corrected, middle, old])).toBe('r2');
  });

  it('breaks a tie in time by the lower custodian id, then the lower record id', () => {
    expect(served([row('r1', 'b', 1000), row('r2', 'a', 1000)])).toBe('r2');
    expect(served([row('r2', 'a', 1000), row('r1', 'b', 1000)])).toBe('r2');
    expect(served([row('r9', 'a', 1000), row('r3', 'a', 1000)])).toBe('r3');
  });
});
