import { Router, type Request, type Response } from 'express';
import { requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { LogService } from './log-service.js';
import type { LedgerProjector } from './ledger-projector.js';
import { csv } from './csv-report.js';
import {
  BlockParam,
  BlocksQuery,
  ConsentEventQuery,
  EntriesQuery,
  EventQuery,
  HeadsQuery,
  ReportQuery,
  TxParam,
  VerifyQuery,
  registerAuditPaths,
} from './audit-schemas.js';

registerAuditPaths();

/**
 * Long checks stream their progress when the client asks for NDJSON (a progress bar in the
 * portal or the CLI); otherwise the answer is the result alone.
 */
async function withProgress<T extends object>(
  req: Request,
  res: Response,
  run: (progress: (checked: number, total: number) => void) => Promise<T>,
): Promise<void> {
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
    res
      .type('text/csv; charset=utf-8')
      .attachment(`${name}-${range.from.toISOString().slice(0, 10)}-${range.to.toISOString().slice(0, 10)}.csv`)
      .send(csv(rows));
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
