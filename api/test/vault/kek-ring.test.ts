import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newDataKey } from '../../src/infra/aead.js';
import { createKekVersionFile, KekRing, loadKekRing } from '../../src/vault/index.js';

const b64 = (b: Buffer): string => b.toString('base64');

describe('KEK ring', () => {
  it('wraps with the current version and unwraps with any version it holds, each key bound to its subject and version', () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const ring = new KekRing(
      new Map([
        [1, k1],
        [2, k2],
      ]),
    );
    expect(ring.current).toBe(2);
    const dataKey = newDataKey();
    const old = ring.wrap('s-1', dataKey, 1);
    const fresh = ring.wrap('s-1', dataKey);
    expect(fresh.version).toBe(2);
    expect(ring.unwrap('s-1', old.wrapped, 1)).toEqual(dataKey);
    expect(ring.unwrap('s-1', ring.rewrap('s-1', old.wrapped, 1, 2), 2)).toEqual(dataKey);
    expect(() => ring.unwrap('s-1', old.wrapped, 2)).toThrow(); // sealed under 1, not 2
    expect(() => ring.unwrap('s-2', old.wrapped, 1)).toThrow(); // another subject's binding
    expect(() => ring.without([1]).unwrap('s-1', old.wrapped, 1)).toThrow(/version 1/);
    expect(() => ring.without([2])).toThrow(/retired/);
    expect(() => new KekRing(new Map([[1, k1]]), 2)).toThrow(/no key/);
  });

  it('reads CV_KEKS and CV_KEK_CURRENT, and says what is wrong with them', () => {
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const base = { CV_KEK: b64(k1), CV_INDEX_KEY: b64(randomBytes(32)) };
    const config = loadConfig({ ...base, CV_KEKS: `2:${b64(k2)},3:${b64(k3)}`, CV_KEK_CURRENT: '2' });
    expect([...config.secrets.keks!.keys()]).toEqual([2, 3]);
    expect(config.secrets.kekCurrent).toBe(2);
    expect(loadConfig(base).secrets.keks).toBeUndefined();
    expect(() => loadConfig({ ...base, CV_KEKS: `1:${b64(k2)}` })).toThrow(/versions start at 2/);
    expect(() => loadConfig({ ...base, CV_KEKS: `2:${b64(randomBytes(16))}` })).toThrow(/32 bytes/);
    expect(() => loadConfig({ ...base, CV_KEKS: `2:${b64(k2)},2:${b64(k3)}` })).toThrow(/twice/);
    expect(() => loadConfig({ ...base, CV_KEKS: 'two' })).toThrow(/CV_KEKS/);
    expect(() => loadConfig({ ...base, CV_KEKS: `2:${b64(k2)}`, CV_KEK_CURRENT: '4' })).toThrow(/CV_KEK_CURRENT/);
  });

  it('with nothing configured, keeps the generated kek.key as version 1 and finds further versions beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cv-keks-'));
    try {
      const none = { kek: undefined, keks: undefined, kekCurrent: undefined };
      const first = await loadKekRing(dir, none);
      expect(first.versions).toEqual([1]);
      expect(await readdir(dir)).toEqual(['kek.key']);
      const wrapped = first.wrap('s-1', newDataKey());
      expect(await createKekVersionFile(dir, first)).toBe(2);
      expect((await stat(join(dir, 'kek-v2.key'))).mode & 0o777).toBe(0o600);
      const second = await loadKekRing(dir, none);
      expect(second.current).toBe(2);
      expect(second.unwrap('s-1', wrapped.wrapped, 1)).toBeDefined(); // the first start's key, unchanged
      expect((await loadKekRing(dir, { ...none, kekCurrent: 1 })).current).toBe(1);
      const fromEnv = await loadKekRing(dir, { kek: randomBytes(32), keks: undefined, kekCurrent: undefined });
      expect(fromEnv.versions).toEqual([1]); // configured keys never mix with files
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
