import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { portalRoutes } from '../../api/src/http/portal.js';

async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(portalRoutes(dir));
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').json({ code: 'not_found' });
  });
  const server = await new Promise<Server>((ok) => {
    const s = app.listen(0, '127.0.0.1', () => ok(s));
  });
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

describe('serving the portal', () => {
  const servers: Server[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const s of servers) s.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('says the portal is not built when web/dist is missing, and leaves the API routes alone', async () => {
    const { url, server } = await serve('/nonexistent/web/dist');
    servers.push(server);
    const home = await fetch(url + '/');
    expect(home.status).toBe(503);
    expect(await home.text()).toContain('The portal is not built');
    expect((await fetch(url + '/v1/anything')).status).toBe(404);
  });

  it('answers index.html for portal paths, immutable assets, and never HTML for API paths or missing assets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cv-portal-'));
    dirs.push(dir);
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const { url, server } = await serve(dir);
    servers.push(server);
    const deep = await fetch(url + '/citizen/consents', { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    expect(deep.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const asset = await fetch(url + '/assets/index-abc.js');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const path of ['/v1/nope', '/oauth/x', '/dev/x', '/.well-known/x', '/assets/missing.js', '/health/x']) {
      const res = await fetch(url + path, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/problem\+json/);
    }
    const post = await fetch(url + '/citizen/consents', { method: 'POST' });
    expect(post.status).toBe(404);
  });
});
