import { Router } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import { DomainError } from '../errors/index.js';
import { parseInput } from '../http/problem.js';
import { exportHtml } from './export-html.js';
import { ExportQuery } from './export-schemas.js';
import type { ExportService } from './export-service.js';
import { RequestIdParam } from './rights-schemas.js';

/** A page that may load nothing and run nothing: the export document is self-contained. */
const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The citizen's export download: owner only, once the request is completed. */
export function exportRoutes(tokens: TokenService, exports: ExportService): Router {
  const router = Router();
  router.get('/v1/me/rights-requests/:id/export', requireRole(tokens, 'citizen'), async (req, res) => {
    const { id } = parseInput(RequestIdParam, req.params);
    const { format } = parseInput(ExportQuery, req.query);
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    const bundle = await exports.bundle(nationalId, id);
    res.set({ 'cache-control': 'no-store', 'content-disposition': `attachment; filename="citizen-vault-export-${id}.${format}"` });
    if (format === 'html') res.set('content-security-policy', DOCUMENT_CSP).type('html').send(exportHtml(bundle));
    else res.json(bundle);
  });
  return router;
}
