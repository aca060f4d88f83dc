import { Router, type Request, type Response } from 'express';
import { requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { LogService } from './log-service.js';
import type { LedgerProjector } from './ledger-projector.js';
import { csv } from './csv-report.js';

const security = [{ [bearerAuth.name]: [] }];
const Uuid = z.string().uuid();
const Limit = z.coerce.number().int().min(1).max(500).default(50);
// Years 1970 to 9999: what Postgres and the access log can hold (year 0000 is not a Postgres date).
const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, 'a time between 1970 and 9999');
const EventQuery = z
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
const ConsentEventQuery = EventQuery.omit({ outcome: true });
const BlocksQuery = z.object({ limit: Limit, cursor: z.string().max(200).optional() }).strict();
const BlockParam = z.object({ number: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
const TxParam = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a transaction id is 64 hex digits') });
const ReportQuery = z.object({ from: Instant.optional(), to: Instant.optional(), format: z.enum(['json', 'csv']).default('json') }).strict();
const VerifyQuery = z.object({ mode: z.enum(['anchors', 'full']).default('anchors') }).strict();
const EntriesQuery = z.object({ from: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(10_000).default(1_000) }).strict();
const HeadsQuery = z.object({ limit: Limit, beforeSize: z.coerce.number().int().min(1).optional() }).strict();
const ok = (description: string) => ({ 200: { description }, ...problemResponses(400, 401, 403) });
const streamed = 'JSON, or with `Accept: application/x-ndjson` a stream of `{"type":"progress",…}` lines ending with `{"type":"result",…}`';

for (const [path, summary, query] of [
  ['/v1/audit/access-events', 'Access events (granted and refused reads) by subject, consumer, consent, purpose, outcome and time, newest first, with a cursor', EventQuery],
  ['/v1/audit/consent-events', 'Consent history as the ledger recorded it, by subject, consumer, consent, purpose and time, newest first, with a cursor', ConsentEventQuery],
  ['/v1/audit/ledger/blocks', 'Blocks from the ledger read model, newest first, with a cursor', BlocksQuery],
  ['/v1/audit/log/tree-heads', 'Signed tree heads with their ledger anchors, newest first', HeadsQuery],
  ['/v1/audit/log/entries', 'Log entries in leaf order, for re-hashing the log', EntriesQuery],
  ['/v1/audit/reports/access-summary', 'Per consumer: granted and refused reads and citizens concerned, in a time range (JSON or CSV)', ReportQuery],
  ['/v1/audit/reports/consent-stats', 'Consents by purpose and status, in a time range (JSON or CSV)', ReportQuery],
] as const) {
  registry.registerPath({ method: 'get', path, summary: `${summary} (auditor)`, security, request: { query: query as z.ZodObject }, responses: ok('results') });
}
registry.registerPath({ method: 'get', path: '/v1/audit/ledger/blocks/{number}', summary: 'A block with its transactions and their validation codes (auditor)', security, request: { params: BlockParam }, responses: { ...ok('block'), ...problemResponses(404) } });
registry.registerPath({ method: 'get', path: '/v1/audit/ledger/transactions/{id}', summary: 'A transaction by id, every block it appears in, with its validation code and event (auditor)', security, request: { params: TxParam }, responses: { ...ok('transaction'), ...problemResponses(404) } });
registry.registerPath({ method: 'get', path: '/v1/audit/ledger/verify', summary: `Full hash-chain verification of the ledger, from block 0 (auditor). ${streamed}`, security, responses: ok('verification') });
registry.registerPath({ method: 'get', path: '/v1/audit/log/verify', summary: `Checks every anchored tree head: signature, root, consistency with the one before (mode=anchors), or re-hashes every leaf (mode=full) (auditor). ${streamed}`, security, request: { query: VerifyQuery }, responses: ok('verification') });
registry.registerPath({ method: 'post', path: '/v1/audit/ledger/rebuild', summary: 'Throws the ledger read model away and projects it again from block 0 (auditor)', security, responses: { 202: { description: 'rebuilding' }, ...problemResponses(401, 403) } });

/**
 * Long checks stream their progress when the client asks for NDJSON (a progress bar in the
 * portal or the CLI); otherwise the answer is the result alone.
 */
async function withProgress<T extends object>(req: Request, res: Response, run: (progress: (checked: number, total: number) => void) => Promise<T>): Promise<void> {
  if (!(req.get('accept') ?? '').includes('application/x-ndjson')) {
    res.set('cache-control', 'no-store').json(await run(() => {}));
    return;
  }
  res.status(200).set({ 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let last = 0;
  try {
    const result = await run((checked, total) => {
      const now = Date.now();
      if (now - last < 100 && checked < total) return;
      last = now;
      res.write(`${JSON.stringify({ type: 'progress', checked, total })}\n`);
    });
    res.end(`${JSON.stringify({ type: 'result', ...result })}\n`);
  } catch (err) {
    // Headers are gone: say so in the stream, in the problem's words.
    const problem = err instanceof DomainError ? { code: err.code, detail: err.message } : { code: 'internal', detail: 'the verification could not finish' };
    res.end(`${JSON.stringify({ type: 'error', ...problem })}\n`);
  }
}

function report(res: Response, name: string, format: 'json' | 'csv', range: { from: Date; to: Date }, rows: Record<string, unknown>[]): void {
  res.set('cache-control', 'no-store');
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').attachment(`${name}-${range.from.toISOString().slice(0, 10)}-${range.to.toISOString().slice(0, 10)}.csv`).send(csv(rows));
  } else {
    res.json({ from: range.from.toISOString(), to: range.to.toISOString(), rows });
  }
}

function rangeOf(q: { from?: Date | undefined; to?: Date | undefined }): { from: Date; to: Date } {
  const to = q.to ?? new Date();
  const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw new DomainError('invalid_request', '`from` must be before `to`');
  return { from, to };
}

/** The auditor's view: queries, ledger blocks and their verification, the log's anchored heads, reports. Auditors only. */
export function auditRoutes(tokens: TokenService, audit: AuditService, log: LogService, projector: LedgerProjector): Router {
  const router = Router();
  router.use('/v1/audit', requireRole(tokens, 'auditor'));
  router.get('/v1/audit/access-events', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(EventQuery, req.query);
    res.set('cache-control', 'no-store').json(await audit.accessEvents(filter, limit, cursor));
  });
  router.get('/v1/audit/consent-events', async (req, res) => {
    const { limit, cursor, ...filter } = parseInput(ConsentEventQuery, req.query);
    res.set('cache-control', 'no-store').json(await audit.consentEvents(filter, limit, cursor));
  });
  router.get('/v1/audit/ledger/blocks', async (req, res) => {
    const q = parseInput(BlocksQuery, req.query);
    res.set('cache-control', 'no-store').json(await audit.blocks(q.limit, q.cursor));
  });
  router.get('/v1/audit/ledger/blocks/:number', async (req, res) => {
    res.set('cache-control', 'no-store').json(await audit.block(parseInput(BlockParam, req.params).number));
  });
  router.get('/v1/audit/ledger/transactions/:id', async (req, res) => {
    res.set('cache-control', 'no-store').json(await audit.transaction(parseInput(TxParam, req.params).id));
  });
  router.get('/v1/audit/ledger/verify', async (req, res) => {
    await withProgress(req, res, (progress) => audit.verifyLedger(progress));
  });
  router.post('/v1/audit/ledger/rebuild', async (_req, res) => {
    await projector.rebuild();
    res.status(202).json({ rebuilding: true });
  });
  router.get('/v1/audit/log/tree-heads', async (req, res) => {
    const q = parseInput(HeadsQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: await log.treeHeads(q.limit, q.beforeSize) });
  });
  router.get('/v1/audit/log/entries', async (req, res) => {
    const q = parseInput(EntriesQuery, req.query);
    res.set('cache-control', 'no-store').json({ items: await audit.logEntries(q.from, q.limit) });
  });
  router.get('/v1/audit/log/verify', async (req, res) => {
    const { mode } = parseInput(VerifyQuery, req.query);
    await withProgress(req, res, (progress) => (mode === 'full' ? log.verifyLeaves(progress) : log.verifyAnchoredHeads(progress)));
  });
  router.get('/v1/audit/reports/access-summary', async (req, res) => {
    const q = parseInput(ReportQuery, req.query);
    const range = rangeOf(q);
    report(res, 'access-summary', q.format, range, await audit.accessSummary(range.from, range.to));
  });
  router.get('/v1/audit/reports/consent-stats', async (req, res) => {
    const q = parseInput(ReportQuery, req.query);
    const range = rangeOf(q);
    report(res, 'consent-stats', q.format, range, await audit.consentStatistics(range.from, range.to));
  });
  return router;
}
