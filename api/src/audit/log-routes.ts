import { Router } from 'express';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { LogService } from './log-service.js';
import { ConsistencyQuery, InclusionQuery, registerLogPaths } from './log-schemas.js';

registerLogPaths();

/**
 * The log's public face, like a Certificate Transparency log: tree heads and proofs are hashes
 * only, so anyone may fetch them. Entries themselves are shown only to whom they concern.
 */
export function logRoutes(log: LogService): Router {
  const router = Router();
  router.get('/v1/log/sth', async (_req, res) => {
    const head = await log.latest();
    if (!head) throw new DomainError('not_found', 'no tree head has been signed yet: the log is empty');
    res.set('cache-control', 'no-cache').json(head);
  });
  router.get('/v1/log/public-key', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json({ keyId: log.key.keyId, jwk: log.key.publicJwk });
  });
  router.get('/v1/log/proof/inclusion', async (req, res) => {
    const q = parseInput(InclusionQuery, req.query);
    res.set('cache-control', 'public, max-age=31536000, immutable').json(await log.inclusionProof(q.leafIndex, q.treeSize));
  });
  router.get('/v1/log/proof/consistency', async (req, res) => {
    const q = parseInput(ConsistencyQuery, req.query);
    res.set('cache-control', 'public, max-age=31536000, immutable').json(await log.consistencyProof(q.first, q.second));
  });
  return router;
}
