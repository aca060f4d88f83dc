import { Router } from 'express';
import { DomainError } from '../errors/index.js';
import type { RepairStatus } from '../repair/index.js';
import './health-schemas.js';

export interface Readiness {
  database(): Promise<void>;
  ledgerHeight(): Promise<number>;
  /** What the repair sweep has finished after crashes (see ledger/repair-sweep.ts). */
  repair(): Promise<RepairStatus>;
}

export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await readiness.database();
    } catch {
      throw new DomainError('database_unavailable', 'the database is not reachable');
    }
    let ledgerHeight: number;
    try {
      ledgerHeight = await readiness.ledgerHeight();
    } catch {
      throw new DomainError('ledger_unavailable', 'the ledger is not reachable');
    }
    res.json({ status: 'ready', ledgerHeight, repair: await readiness.repair() });
  });
  router.get('/metrics', async (_req, res) => {
    const repair = await readiness.repair();
    const lines = [
      '# HELP cv_repair_runs_total Runs of the repair sweep.',
      '# TYPE cv_repair_runs_total counter',
      `cv_repair_runs_total ${repair.runs}`,
      '# HELP cv_repaired_total Interrupted work the repair sweep finished or dropped, by kind.',
      '# TYPE cv_repaired_total counter',
      ...Object.entries(repair.repaired).map(([kind, n]) => `cv_repaired_total{kind="${kind}"} ${n}`),
      '# HELP cv_repair_failing Whether the last run of the repair sweep failed.',
      '# TYPE cv_repair_failing gauge',
      `cv_repair_failing ${repair.lastError ? 1 : 0}`,
    ];
    res.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
  return router;
}
