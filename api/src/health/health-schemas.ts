import { z } from 'zod';
import { problemResponses, registry } from '../http/openapi.js';

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Repair = z
  .object({
    runs: z.number().int(),
    lastRunAt: z.string().nullable(),
    repaired: z.record(z.string(), z.number().int()),
    lastError: z.string().nullable(),
  })
  .openapi('RepairStatus');
const Ready = z.object({ status: z.literal('ready'), ledgerHeight: z.number().int(), repair: Repair }).openapi('Ready');

registry.registerPath({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics: what the repair sweep has finished after crashes',
  responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } },
});
registry.registerPath({
  method: 'get',
  path: '/health',
  summary: 'Liveness',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: Health } } } },
});
registry.registerPath({
  method: 'get',
  path: '/ready',
  summary: 'Readiness: Postgres and the ledger are reachable',
  responses: { 200: { description: 'ready', content: { 'application/json': { schema: Ready } } }, ...problemResponses(503) },
});
