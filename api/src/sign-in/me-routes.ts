import { Router } from 'express';
import { principal, requireRole, type TokenService } from '../auth/index.js';
import './me-schemas.js';

/** The caller as the API sees them; a citizen's national id is never echoed back. */
export function meRoutes(tokens: TokenService): Router {
  const router = Router();
  router.get('/v1/me', requireRole(tokens, 'citizen', 'operator', 'auditor', 'organization'), (req, res) => {
    const p = principal(req);
    res.set('cache-control', 'no-store').json({ role: p.role, subject: p.subject, ...(p.organizationId ? { organizationId: p.organizationId } : {}) });
  });
  return router;
}
