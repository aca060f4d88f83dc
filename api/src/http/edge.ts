import { randomUUID } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { DOCS_CSP, DOCS_PAGE } from './docs-page.js';
import { openApiDocument } from './openapi.js';

/**
 * What every answer carries: a request id (the caller's, when it is a safe token), `nosniff`,
 * `no-store` on everything about people, consents and tokens (a route may say otherwise: the JWKS,
 * the public catalogue), and HSTS over TLS, here or at the proxy the public URL names.
 */
export function edgeHeaders(publicUrl: string): RequestHandler {
  const httpsPublic = publicUrl.startsWith('https:');
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    res.setHeader('x-request-id', incoming && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID());
    res.setHeader('x-content-type-options', 'nosniff');
    if (/^\/(v1|oauth|dev)\//.test(req.path)) res.setHeader('cache-control', 'no-store');
    if (req.secure || httpsPublic) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
    next();
  };
}

/** The OpenAPI document, built once after every capability registered its routes, and its reference page. */
export function documentationRoutes(publicUrl: string): Router {
  const router = Router();
  const document = openApiDocument(publicUrl);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.set('content-security-policy', DOCS_CSP).set('x-frame-options', 'DENY').type('html').send(DOCS_PAGE);
  });
  return router;
}
