import { Router } from 'express';
import { FIELD_VOCABULARY, PURPOSE_VOCABULARY } from '@citizen-vault/chaincode/rules';
import { callingOrganization, principal, requireRole } from '../auth/authenticate.js';
import type { TokenService } from '../auth/tokens.js';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { idempotencyRef, isIdempotentRetry } from '../http/idempotency.js';
import { parseInput } from '../http/problem.js';
import { DomainError } from '../errors/index.js';
import type { VaultService } from './vault-service.js';

const NationalId = z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits');
const DepositRequest = z
  .object({
    subject: z.object({ nationalId: NationalId }).strict(),
    category: z.string(),
    fields: z.record(z.string(), z.unknown()),
  })
  .strict()
  .openapi('DepositRecordRequest');
const Deposited = z
  .object({ id: z.string(), subjectId: z.string(), category: z.string(), version: z.number().int(), commitment: z.string() })
  .openapi('DepositedRecord');
const CitizenRecord = z
  .object({
    id: z.string(),
    category: z.string(),
    version: z.number().int(),
    custodian: z.object({ id: z.string(), name: z.string() }),
    fields: z.record(z.string(), z.unknown()),
    commitment: z.string(),
    salt: z.string(),
    depositedAt: z.string(),
  })
  .openapi('CitizenRecord');
const Vocabulary = z.object({ categories: z.array(z.unknown()), purposes: z.array(z.unknown()) }).openapi('Vocabulary');

const security = [{ [bearerAuth.name]: [] }];
registry.registerPath({
  method: 'post',
  path: '/v1/records',
  summary: 'Deposit a record about a citizen (custodian organisations)',
  security,
  request: { body: { content: { 'application/json': { schema: DepositRequest } } } },
  responses: { 201: { description: 'deposited, its commitment anchored', content: { 'application/json': { schema: Deposited } } }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/records',
  summary: 'The signed-in citizen\'s own records, decrypted, with the custodian of each',
  security,
  responses: { 200: { description: 'records', content: { 'application/json': { schema: z.object({ items: z.array(CitizenRecord) }) } } }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/vocabulary',
  summary: 'Record categories with their fields, and purpose codes, in Vietnamese and English (public)',
  responses: { 200: { description: 'vocabulary', content: { 'application/json': { schema: Vocabulary } } } },
});

export function vaultRoutes(tokens: TokenService, vault: VaultService): Router {
  const router = Router();
  router.get('/v1/vocabulary', (_req, res) => {
    res.set('cache-control', 'public, max-age=3600').json({ version: FIELD_VOCABULARY.version, categories: FIELD_VOCABULARY.categories, purposes: PURPOSE_VOCABULARY.purposes });
  });
  router.post('/v1/records', requireRole(tokens, 'organization'), async (req, res) => {
    const body = parseInput(DepositRequest, req.body);
    const ref = idempotencyRef(req);
    const record = await vault.deposit(callingOrganization(req), { nationalId: body.subject.nationalId, category: body.category, fields: body.fields }, { ...(ref ? { ref } : {}), retry: isIdempotentRetry(req) });
    res.status(201).json(record);
  });
  router.get('/v1/me/records', requireRole(tokens, 'citizen'), async (req, res) => {
    const nationalId = principal(req).nationalId;
    if (!nationalId) throw new DomainError('forbidden', 'the token does not identify a citizen');
    res.set('cache-control', 'no-store').json({ items: await vault.recordsOf(nationalId) });
  });
  return router;
}
