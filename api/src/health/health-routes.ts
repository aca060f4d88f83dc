import { Router } from 'express';
import { registry, problemResponses, z } from '../http/openapi.js';
import { ApiError } from '../http/problem.js';

export interface Readiness {
  database(): Promise<void>;
  ledgerHeight(): Promise<number>;
}

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Ready = z.object({ status: z.literal('ready'), ledgerHeight: z.number().int() }).openapi('Ready');

registry.registerPath({ method: 'get', path: '/health', summary: 'Liveness', responses: { 200: { description: 'alive', content: { 'application/json': { schema: Health } } } } });
registry.registerPath({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: Postgres and the ledger are reachable',
  responses: { 200: { description: 'ready', content: { 'application/json': { schema: Ready } } }, ...problemResponses(503) },
});

export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await readiness.database();
    } catch {
      throw new ApiError('not_available', 'the database is not reachable');
    }
    let ledgerHeight: number;
    try {
      ledgerHeight = await readiness.ledgerHeight();
    } catch {
      throw new ApiError('ledger_unavailable', 'the ledger is not reachable');
    }
    res.json({ status: 'ready', ledgerHeight });
  });
  return router;
}
