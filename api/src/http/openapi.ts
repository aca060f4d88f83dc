import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

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
      code: z.string(),
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

export function openApiDocument(serverUrl: string): object {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Citizen Vault API',
      version: '0.1.0',
      description: 'Consented access to citizens\' encrypted personal data, on a permissioned ledger.',
    },
    servers: [{ url: serverUrl }],
  });
}

export { z };
