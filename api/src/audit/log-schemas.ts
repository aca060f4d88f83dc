import { z } from 'zod';
import { problemResponses, registry } from '../http/openapi.js';

/** The public log API's schemas: tree heads, keys and proofs as the OpenAPI document describes them. */
const Hex = z.string().regex(/^[0-9a-f]{64}$/);
const TreeHead = z
  .object({
    treeSize: z.number().int(),
    rootHash: Hex,
    timestamp: z.string(),
    keyId: z.string(),
    signature: z.string().describe('base64url Ed25519 signature over `citizen-vault-sth/v1\\n{treeSize}\\n{rootHash}\\n{timestamp}`'),
    anchor: z
      .object({ transactionId: z.string(), blockNumber: z.number().int() })
      .nullable()
      .describe('the ledger transaction that anchored this head, null until it commits'),
  })
  .openapi('SignedTreeHead');
const LogPublicKey = z
  .object({ keyId: z.string(), jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }) })
  .openapi('LogPublicKey');
const Count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const InclusionQuery = z.object({ leafIndex: Count, treeSize: Count.min(1) }).strict();
export const ConsistencyQuery = z.object({ first: Count, second: Count }).strict();
const InclusionProof = z.object({ leafIndex: z.number().int(), treeSize: z.number().int(), leafHash: Hex, auditPath: z.array(Hex) }).openapi('InclusionProof');
const ConsistencyProof = z.object({ first: z.number().int(), second: z.number().int(), consistencyPath: z.array(Hex) }).openapi('ConsistencyProof');
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

/**
 * Registers the log API's paths in the OpenAPI document. Called once, where the routes module is
 * evaluated, so the document's paths keep the order in which the route modules are loaded.
 */
export function registerLogPaths(): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/log/sth',
    summary: 'The latest signed tree head of the access log and its ledger anchor (public)',
    responses: { 200: { description: 'signed tree head', ...json(TreeHead) }, ...problemResponses(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/log/public-key',
    summary: 'The Ed25519 key that signs tree heads (public)',
    responses: { 200: { description: 'key', ...json(LogPublicKey) } },
  });
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
}
