import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';

/** Where `npm run build` puts the portal: `web/dist`, beside the api package in the repository. */
export const DEFAULT_PORTAL_DIR = resolve(import.meta.dirname, '../../../web/dist');

/** Paths that belong to the API: the portal never answers them, so an unknown `/v1/…` stays a problem+json 404. */
const API_PREFIXES = ['/v1', '/oauth', '/dev', '/docs', '/openapi.json', '/health', '/ready', '/.well-known', '/assets'];

/**
 * Strict: only the portal's own files, no inline script or style, nothing framed. The built
 * portal has no inline code, so nothing needs a hash or a nonce.
 */
const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Citizen Vault</title>
<h1>The portal is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload. The API itself is running: see <a href="/docs">/docs</a>.</p></html>`;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(p + '/'));
}

/**
 * Serves the portal from `dir` at `/`, with a fallback to `index.html` for the portal's own routes
 * (`/citizen/requests` and so on) so that a reload or a shared link works. When the portal is not
 * built, `/` says so and the API works as before.
 */
export function portalRoutes(dir: string = DEFAULT_PORTAL_DIR): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  const built = existsSync(index);
  router.use((req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && (!isApiPath(req.path) || req.path.startsWith('/assets/'))) {
      res.setHeader('content-security-policy', PORTAL_CSP);
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('cross-origin-opener-policy', 'same-origin');
    }
    next();
  });
  if (!built) {
    router.get('/', (_req, res) => {
      res.status(503).type('html').send(NOT_BUILT);
    });
    return router;
  }
  // Vite names assets by content hash, so they never change; index.html must always be fresh.
  router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: true }));
  router.use(express.static(dir, { index: false, maxAge: 0, setHeaders: (res) => res.setHeader('cache-control', 'no-cache') }));
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path) || !req.accepts('html')) {
      next();
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
