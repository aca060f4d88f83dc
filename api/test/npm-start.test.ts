import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from './stack.js';

/** `npm start` as a newcomer runs it: the whole system on embedded defaults, with demo data, stopped by Ctrl-C. */
describe('npm start (api/dist/main.js)', () => {
  it('starts Postgres, the devnet and the API with demo data, and stops cleanly on SIGINT', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cv-start-'));
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../dist/main.js')], {
      env: { ...process.env, CV_DATA_DIR: dataDir, PORT: String(port), CV_PUBLIC_URL: url, CV_EMBEDDED_PG_PORT: String(await freePort()), CV_DEVNET_PORT: String(await freePort()), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const started = Date.now();
      while (!output.includes('Citizen Vault is running')) {
        if (Date.now() - started > 45_000) throw new Error(`not running after 45 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const line = output.split('\n').find((l) => l.includes('Citizen Vault is running'))!;
      expect(JSON.parse(line).seconds).toBeLessThan(15);

      const demo = JSON.parse(await readFile(join(dataDir, 'demo', 'organizations.json'), 'utf8')) as { citizens: string[]; organizations: Record<string, { id: string }> };
      expect(Object.keys(demo.organizations)).toHaveLength(3);
      const token = ((await (await fetch(url + '/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'citizen', nationalId: demo.citizens[0] }) })).json()) as { access_token: string }).access_token;
      const records = (await (await fetch(url + '/v1/me/records', { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { custodian: { name: string } }[] };
      expect(new Set(records.items.map((r) => r.custodian.name)).size).toBe(2); // records from two custodians
      const portal = await fetch(url + '/', { headers: { accept: 'text/html' } }); // the portal, same origin, built by npm start
      expect(portal.status).toBe(200);
      expect(await portal.text()).toContain('<div id="app">');

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopping');
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
