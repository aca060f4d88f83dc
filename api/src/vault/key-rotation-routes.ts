import { Router, type Request } from 'express';
import { principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { parseInput } from '../http/problem.js';
import { rotationProgress, type KekRotation } from './key-rotation.js';
import type { KeyRotationRunner } from './key-rotation-runner.js';
import { KekVersionParam, RotationIdParam, StartKekRotation } from './key-rotation-schemas.js';

/** The operator's view of KEK rotation: status and progress, start (or resume), and retiring a version. */
export function keyRotationRoutes(tokens: TokenService, rotations: KeyRotationRunner): Router {
  const router = Router();
  const operator = requireRole(tokens, 'operator');
  const bodyOf = (req: Request): unknown => req.body ?? {};

  router.get('/v1/vault/kek', operator, async (_req, res) => {
    const status = await rotations.service.status();
    res.set('cache-control', 'no-store').json({ ...status, rotation: status.rotation ? rotationView(status.rotation) : null });
  });
  router.post('/v1/vault/kek/rotations', operator, async (req, res) => {
    const { fromVersion } = parseInput(StartKekRotation, bodyOf(req));
    const rotation = await rotations.launch(`operator:${principal(req).subject}`, fromVersion);
    res.status(202).location(`/v1/vault/kek/rotations/${rotation.id}`).json(rotationView(rotation));
  });
  router.get('/v1/vault/kek/rotations/:id', operator, async (req, res) => {
    const { id } = parseInput(RotationIdParam, req.params);
    res.set('cache-control', 'no-store').json(rotationView(await rotations.service.get(id)));
  });
  router.post('/v1/vault/kek/versions/:version/retire', operator, async (req, res) => {
    const { version } = parseInput(KekVersionParam, req.params);
    await rotations.service.retire(version);
    res.json({ version, retired: true });
  });
  return router;
}

function rotationView(r: KekRotation): Record<string, unknown> {
  const { state, percent, keysPerSecond } = rotationProgress(r);
  return {
    id: r.id,
    state,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    total: r.total,
    rewrapped: r.rewrapped,
    skipped: r.skipped,
    percent,
    keysPerSecond,
    pass: r.pass,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}
