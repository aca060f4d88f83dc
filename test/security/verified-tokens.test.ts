import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKeys, type SigningKeys } from '../../api/src/auth/signing-keys.js';
import { TokenService } from '../../api/src/auth/tokens.js';
import { VerifiedTokens } from '../../api/src/auth/verified-tokens.js';

/** Each bearer token is verified once, then served from a bounded cache until it expires — without weakening any check. */
describe('verified-token cache', () => {
  let dir: string;
  let keys: SigningKeys;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cv-verified-'));
    keys = await loadOrCreateSigningKeys(join(dir, 'key.jwk'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const service = (verified: VerifiedTokens, active: (id: string) => Promise<unknown> = async (id) => ({ id })) =>
    new TokenService({ keys, issuer: 'https://api.example.vn', audience: 'citizen-vault-api', verified, activeOrganization: active });

  it('verifies a token once and answers repeats from the cache, with a fresh principal each time', async () => {
    const verified = new VerifiedTokens();
    const tokens = service(verified);
    const { access_token } = await tokens.issue({ role: 'citizen', nationalId: '001099022001', subject: 'citizen:x' });
    const first = await tokens.verify(access_token);
    const second = await tokens.verify(access_token);
    expect(verified.hits).toBe(1);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    (second as { role: string }).role = 'operator'; // a caller mutating its principal does not touch the cache
    expect((await tokens.verify(access_token)).role).toBe('citizen');
  });

  it('still checks on every request that the organisation is active: a suspension applies to a cached token at once', async () => {
    let suspended = false;
    const tokens = service(new VerifiedTokens(), async (id) => (suspended ? undefined : { id, name: 'Org' }));
    const { access_token } = await tokens.issue({ role: 'organization', organizationId: 'org-1', subject: 'org:org-1' });
    expect((await tokens.verify(access_token)).organization).toEqual({ id: 'org-1', name: 'Org' });
    suspended = true;
    await expect(tokens.verify(access_token)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('forgets a token when it expires, so the full check refuses it', async () => {
    let now = Date.now();
    const verified = new VerifiedTokens(100, () => now);
    const tokens = service(verified);
    const { access_token, expires_in } = await tokens.issue({ role: 'auditor', subject: 'dev:auditor' });
    await tokens.verify(access_token);
    expect(verified.size).toBe(1);
    now += (expires_in + 1) * 1000;
    expect(verified.get(access_token)).toBeUndefined();
    expect(verified.size).toBe(0);
  });

  it('never caches a token that failed, and a changed byte is not a hit', async () => {
    const verified = new VerifiedTokens();
    const tokens = service(verified);
    const { access_token } = await tokens.issue({ role: 'auditor', subject: 'dev:auditor' });
    const [h, p, sig] = access_token.split('.');
    const forged = `${h}.${p}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BA' : 'AA'}`;
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(verified.size).toBe(0);
    await tokens.verify(access_token);
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(verified.hits).toBe(0);
  });

  it('stays within its bound, dropping the oldest first', async () => {
    const verified = new VerifiedTokens(3);
    const tokens = service(verified);
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push((await tokens.issue({ role: 'auditor', subject: `dev:auditor-${i}` })).access_token);
    for (const t of issued) await tokens.verify(t);
    expect(verified.size).toBe(3);
    expect(verified.get(issued[0]!)).toBeUndefined();
    expect(verified.get(issued[4]!)).toBeDefined();
  });
});
