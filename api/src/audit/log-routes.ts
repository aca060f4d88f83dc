import { Router } from 'express';
import { problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { LogService } from './log-service.js';

const Hex = z.string().regex(/^[0-9a-f]{64}$/);
const TreeHead = z
  .object({
    treeSize: z.number().int(),
    rootHash: Hex,
    timestamp: z.string(),
    keyId: z.string(),
    signature: z.string().describe('base64url Ed25519 signature over `citizen-vault-sth/v1\\n{treeSize}\\n{rootHash}\\n{timestamp}`'),
    anchor: z.object({ transactionId: z.string(), blockNumber: z.number().int() }).nullable().describe('the ledger transaction that anchored this head, null until it commits'),
  })
  .openapi('SignedTreeHead');
const LogPublicKey = z.object({ keyId: z.string(), jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }) }).openapi('LogPublicKey');
const Count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const InclusionQuery = z.object({ leafIndex: Count, treeSize: Count.min(1) }).strict();
const ConsistencyQuery = z.object({ first: Count, second: Count }).strict();
const InclusionProof = z.object({ leafIndex: z.number().int(), treeSize: z.number().int(), leafHash: Hex, auditPath: z.array(Hex) }).openapi('InclusionProof');
const ConsistencyProof = z.object({ first: z.number().int(), second: z.number().int(), consistencyPath: z.array(Hex) }).openapi('ConsistencyProof');
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

registry.registerPath({ method: 'get', path: '/v1/log/sth', summary: 'The latest signed tree head of the access log and its ledger anchor (public)', responses: { 200: { description: 'signed tree head', ...json(TreeHead) }, ...problemResponses(404) } });
registry.registerPath({ method: 'get', path: '/v1/log/public-key', summary: 'The Ed25519 key that signs tree heads (public)', responses: { 200: { description: 'key', ...json(LogPublicKey) } } });
registry.registerPath({
  method: 'get',
  path: '/v1/log/proof/inclusion',
  summary: 'RFC 6962 audit path of a leaf in the tree of a given size (public: hashes only)',
  request: { query: InclusionQuery },
  responses: { 200: { description: 'proof', ...json(InclusionProof) }, ...problemResponses(400) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/log/proof/consistency',
  summary: 'RFC 6962 consistency proof between two tree sizes (public: hashes only)',
  request: { query: ConsistencyQuery },
  responses: { 200: { description: 'proof', ...json(ConsistencyProof) }, ...problemResponses(400) },
});

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
