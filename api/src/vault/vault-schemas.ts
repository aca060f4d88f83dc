import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

/** The vault API's schemas: they parse the requests and describe them, with the answers, in the OpenAPI document. */
const NationalId = z.string().regex(/^\d{12}$/, 'a citizen identity number has 12 digits');
export const DepositRequest = z
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

/**
 * Registers the vault API's paths in the OpenAPI document. Called once, where the routes module is
 * evaluated, so the document's paths keep the order in which the route modules are loaded.
 */
export function registerVaultPaths(): void {
  registry.registerPath({
    method: 'post',
    path: '/v1/records',
    summary: 'Deposit a record about a citizen (custodian organisations)',
    security,
    request: { body: { content: { 'application/json': { schema: DepositRequest } } } },
    responses: {
      201: { description: 'deposited, its commitment anchored', content: { 'application/json': { schema: Deposited } } },
      ...problemResponses(400, 401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/records',
    summary: "The signed-in citizen's own records, decrypted, with the custodian of each",
    security,
    responses: {
      200: { description: 'records', content: { 'application/json': { schema: z.object({ items: z.array(CitizenRecord) }) } } },
      ...problemResponses(401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/vocabulary',
    summary: 'Record categories with their fields, and purpose codes, in Vietnamese and English (public)',
    responses: { 200: { description: 'vocabulary', content: { 'application/json': { schema: Vocabulary } } } },
  });
}
