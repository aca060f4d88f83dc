import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerOrganization, requests, startMainProcess, useStack } from '../stack.js';

describe('a Postgres outage', () => {
  const shared = useStack();
  const { call } = requests(() => shared.stack.url);

  it('is answered 503 database_unavailable quickly, not 401, and the embedded Postgres comes back by itself', async () => {
    const stack = shared.stack;
    const bank = await registerOrganization(stack, ['consumer']);
    const token = await bank.token();
    expect((await call('/v1/consents', token)).status).toBe(200);

    const pid = Number((await readFile(join(stack.dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));

    const started = Date.now();
    const during = await call('/v1/consents', token);
    const elapsed = Date.now() - started;
    // The supervisor waits a moment before it restarts Postgres: this request meets the outage. Not a 401, not a hang.
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toContain('application/problem+json');
    expect(((await during.json()) as { code: string }).code).toBe('database_unavailable');
    expect(elapsed).toBeLessThan(5_000);

    const back = Date.now();
    for (;;) {
      const ready = await call('/ready', undefined).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() - back > 30_000) throw new Error('Postgres did not come back');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await call('/v1/consents', token)).status).toBe(200);
  }, 60_000);
});

describe('the Postgres driver', () => {
  it('runs with the guard against a deferred write on a closed connection (api/patches, applied after npm ci)', async () => {
    // Without it, killing Postgres under load killed the API too (porsager/postgres#1154, #1208).
    for (const file of ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js']) {
      expect(await readFile(resolve(import.meta.dirname, '../../..', file), 'utf8')).toContain('citizen-vault: guarded nextWrite');
    }
  });
});

describe('Ctrl-C', () => {
  it('stops the whole stack on the first signal, even though Postgres got the signal too', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cv-sigint-'));
    await chmod(dataDir, 0o755);
    const { child, exited } = await startMainProcess(dataDir, { detached: true });
    try {
      process.kill(-child.pid!, 'SIGINT'); // what Ctrl-C does: the signal goes to every process of the group
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 15 s'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
