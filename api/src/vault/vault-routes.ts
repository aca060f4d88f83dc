import { Router } from 'express';
import { FIELD_VOCABULARY, PURPOSE_VOCABULARY } from '@citizen-vault/chaincode/rules';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { idempotencyRef, isIdempotentRetry } from '../http/idempotency.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { VaultService } from './vault-service.js';
import { DepositRequest, registerVaultPaths } from './vault-schemas.js';

registerVaultPaths();

export function vaultRoutes(tokens: TokenService, vault: VaultService): Router {
  const router = Router();
  router.get('/v1/vocabulary', (_req, res) => {
    res
      .set('cache-control', 'public, max-age=3600')
      .json({ version: FIELD_VOCABULARY.version, categories: FIELD_VOCABULARY.categories, purposes: PURPOSE_VOCABULARY.purposes });
  });
  router.post('/v1/records', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(DepositRequest, req.body);
    const ref = idempotencyRef(req);
    const record = await vault.deposit(
      callingOrganization(req),
      { nationalId: body.subject.nationalId, category: body.category, fields: body.fields },
      { ...(ref ? { ref } : {}), retry: isIdempotentRetry(req) },
    );
    res.status(201).json(record);
  });
  router.get('/v1/me/records', requireRole(tokens, 'citizen'), async (req, res) => {
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    res.set('cache-control', 'no-store').json({ items: await vault.recordsOf(nationalId) });
  });
  return router;
}
