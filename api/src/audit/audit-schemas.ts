import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

/** The auditor API's schemas: they parse the queries and describe them in the OpenAPI document. */
const security = [{ [bearerAuth.name]: [] }];
const Uuid = z.string().uuid();
const Limit = z.coerce.number().int().min(1).max(500).default(50);
// Years 1970 to 9999: what Postgres and the access log can hold (year 0000 is not a Postgres date).
const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, 'a time between 1970 and 9999');
export const EventQuery = z
  .object({
    subjectId: Uuid.optional(),
    consumerOrgId: Uuid.optional(),
    consentId: Uuid.optional(),
    purpose: z.string().max(100).optional(),
    outcome: z.enum(['GRANTED', 'DENIED']).optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    limit: Limit,
    cursor: z.string().max(500).optional(),
  })
  .strict();
export const ConsentEventQuery = EventQuery.omit({ outcome: true });
export const BlocksQuery = z.object({ limit: Limit, cursor: z.string().max(200).optional() }).strict();
export const BlockParam = z.object({ number: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
export const TxParam = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a transaction id is 64 hex digits') });
export const ReportQuery = z.object({ from: Instant.optional(), to: Instant.optional(), format: z.enum(['json', 'csv']).default('json') }).strict();
export const VerifyQuery = z.object({ mode: z.enum(['anchors', 'full']).default('anchors') }).strict();
export const EntriesQuery = z
  .object({ from: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(10_000).default(1_000) })
  .strict();
export const HeadsQuery = z.object({ limit: Limit, beforeSize: z.coerce.number().int().min(1).optional() }).strict();
const ok = (description: string) => ({ 200: { description }, ...problemResponses(400, 401, 403) });
const streamed = 'JSON, or with `Accept: application/x-ndjson` a stream of `{"type":"progress",…}` lines ending with `{"type":"result",…}`';

/**
 * Registers the audit API's paths in the OpenAPI document. Called once, where the routes module is
 * evaluated, so the document's paths keep the order in which the route modules are loaded.
 */
export function registerAuditPaths(): void {
  for (const [path, summary, query] of [
    [
      '/v1/audit/access-events',
      'Access events (granted and refused reads) by subject, consumer, consent, purpose, outcome and time, newest first, with a cursor',
      EventQuery,
    ],
    [
      '/v1/audit/consent-events',
      'Consent history as the ledger recorded it, by subject, consumer, consent, purpose and time, newest first, with a cursor',
      ConsentEventQuery,
    ],
    ['/v1/audit/ledger/blocks', 'Blocks from the ledger read model, newest first, with a cursor', BlocksQuery],
    ['/v1/audit/log/tree-heads', 'Signed tree heads with their ledger anchors, newest first', HeadsQuery],
    ['/v1/audit/log/entries', 'Log entries in leaf order, for re-hashing the log', EntriesQuery],
    ['/v1/audit/reports/access-summary', 'Per consumer: granted and refused reads and citizens concerned, in a time range (JSON or CSV)', ReportQuery],
    ['/v1/audit/reports/consent-stats', 'Consents by purpose and status, in a time range (JSON or CSV)', ReportQuery],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path,
      summary: `${summary} (auditor)`,
      security,
      request: { query: query as z.ZodObject },
      responses: ok('results'),
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/v1/audit/ledger/blocks/{number}',
    summary: 'A block with its transactions and their validation codes (auditor)',
    security,
    request: { params: BlockParam },
    responses: { ...ok('block'), ...problemResponses(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/audit/ledger/transactions/{id}',
    summary: 'A transaction by id, every block it appears in, with its validation code and event (auditor)',
    security,
    request: { params: TxParam },
    responses: { ...ok('transaction'), ...problemResponses(404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/audit/ledger/verify',
    summary: `Full hash-chain verification of the ledger, from block 0 (auditor). ${streamed}`,
    security,
    responses: ok('verification'),
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/audit/log/verify',
    summary: `Checks every anchored tree head: signature, root, consistency with the one before (mode=anchors), or re-hashes every leaf (mode=full) (auditor). ${streamed}`,
    security,
    request: { query: VerifyQuery },
    responses: ok('verification'),
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/audit/ledger/rebuild',
    summary: 'Throws the ledger read model away and projects it again from block 0 (auditor)',
    security,
    responses: { 202: { description: 'rebuilding' }, ...problemResponses(401, 403) },
  });
}
