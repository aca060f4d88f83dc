import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMainProcess } from './stack.js';

/** `npm start` as a newcomer runs it: the whole system on embedded defaults, with demo data, stopped by Ctrl-C. */
describe('npm start (api/dist/main.js)', () => {
  it('starts Postgres, the devnet and the API with demo data, and stops cleanly on SIGINT', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cv-start-'));
    await chmod(dataDir, 0o755);
    const { child, url, exited, output } = await startMainProcess(dataDir);
    try {
      const line = output()
        .split('\n')
        .find((l) => l.includes('Citizen Vault is running'))!;
      // How long it took is reported, not asserted: wall-clock speed belongs to the benchmarks.
      expect(JSON.parse(line).seconds).toBeGreaterThan(0);

      const demo = JSON.parse(await readFile(join(dataDir, 'demo', 'organizations.json'), 'utf8')) as {
        citizens: string[];
        organizations: Record<string, { id: string }>;
      };
      expect(Object.keys(demo.organizations)).toHaveLength(3);
      const token = (
        (await (
          await fetch(url + '/dev/token', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ role: 'citizen', nationalId: demo.citizens[0] }),
          })
        ).json()) as { access_token: string }
      ).access_token;
      const records = (await (await fetch(url + '/v1/me/records', { headers: { authorization: `Bearer ${token}` } })).json()) as {
        items: { custodian: { name: string } }[];
      };
      expect(new Set(records.items.map((r) => r.custodian.name)).size).toBe(2); // records from two custodians
      const portal = await fetch(url + '/', { headers: { accept: 'text/html' } }); // the portal, same origin, built by npm start
      expect(portal.status).toBe(200);
      expect(await portal.text()).toContain('<div id="app">');

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output()).toContain('stopping');
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
