import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_CATALOG, type ErrorCode, type ErrorEntry } from '../errors/index.js';

extendZodWithOpenApi(z);

/** One registry for the whole API: the schemas that validate requests are the ones the document describes. */
export const registry = new OpenAPIRegistry();

export const Problem = registry.register(
  'Problem',
  z
    .object({
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      code: z
        .enum(Object.keys(ERROR_CATALOG) as [ErrorCode, ...ErrorCode[]])
        .openapi({ description: 'a stable code; `x-error-codes` gives its HTTP status and its sentence in English and Vietnamese' }),
      detail: z.string(),
      instance: z.string(),
      requestId: z.string(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    })
    .openapi({ description: 'RFC 9457 problem details, with a stable `code`' }),
);

export const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: 'problem', content: { 'application/problem+json': { schema: Problem } } }]));
}

/** The error catalog as the document publishes it (`x-error-codes`): per code, its status, its kind and its sentences. */
export function errorCodesExtension(): Record<string, ErrorEntry> {
  return Object.fromEntries(
    Object.entries(ERROR_CATALOG).map(([code, e]): [string, ErrorEntry] => [code, { status: e.status, kind: e.kind, en: e.en, vi: e.vi }]),
  );
}

export function openApiDocument(serverUrl: string): object {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Citizen Vault API',
      version: '0.1.0',
      description: "Consented access to citizens' encrypted personal data, on a permissioned ledger.",
    },
    servers: [{ url: serverUrl }],
  });
  // Appended, so everything before it keeps its bytes: a client finds every code's status and words here.
  return { ...document, 'x-error-codes': errorCodesExtension() };
}

export { z };
