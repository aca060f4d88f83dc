import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';

/** The KEK rotation API's schemas (operator): the key versions, a rotation's progress, and the requests that start one or retire a version. */
export const StartKekRotation = z
  .object({
    fromVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'The version whose keys are rewrapped; by default the oldest version still wrapping a key' }),
  })
  .strict()
  .openapi('StartKekRotation');
export const RotationIdParam = z.object({ id: z.uuid() });
export const KekVersionParam = z.object({ version: z.coerce.number().int().min(1).max(999_999) });

export const KekRotationView = z
  .object({
    id: z.string(),
    state: z.enum(['RUNNING', 'FINISHED']),
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
    total: z.number().int().openapi({ description: 'Data keys under fromVersion when the rotation started (grown if a later pass found more)' }),
    rewrapped: z.number().int(),
    skipped: z.number().int().openapi({ description: 'Keys erased while the rotation ran: left erased' }),
    percent: z.number(),
    keysPerSecond: z.number().openapi({ description: 'Keys rewrapped per second since the start (including any time the job was stopped)' }),
    pass: z.number().int(),
    startedBy: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('KekRotation');
const KekStatusView = z
  .object({
    currentVersion: z.number().int().openapi({ description: 'The version that wraps new data keys' }),
    versions: z.array(
      z.object({
        version: z.number().int(),
        keys: z.number().int().openapi({ description: 'Data keys wrapped under this version' }),
        configured: z.boolean(),
        current: z.boolean(),
        retired: z.boolean(),
      }),
    ),
    rotation: KekRotationView.nullable().openapi({ description: 'The latest rotation, running or finished' }),
  })
  .openapi('KekStatus');

const security = [{ [bearerAuth.name]: [] }];
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'get',
  path: '/v1/vault/kek',
  summary: 'Key-encryption key versions, the data keys under each, and the latest rotation with its progress (operator)',
  security,
  responses: { 200: { description: 'KEK status', ...json(KekStatusView) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/vault/kek/rotations',
  summary:
    'Start rewrapping every data key from an older KEK version to the current one, in the background while the API keeps serving (operator); answers the unfinished rotation, resumed, if there is one',
  security,
  request: { body: json(StartKekRotation) },
  responses: { 202: { description: 'the rotation, running', ...json(KekRotationView) }, ...problemResponses(400, 401, 403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/vault/kek/rotations/{id}',
  summary: "A KEK rotation's progress (operator)",
  security,
  request: { params: RotationIdParam },
  responses: { 200: { description: 'the rotation', ...json(KekRotationView) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/vault/kek/versions/{version}/retire',
  summary: 'Retire a KEK version: refused (kek_version_in_use) while any data key is wrapped under it, or while it is the current version (operator)',
  security,
  request: { params: KekVersionParam },
  responses: {
    200: { description: 'retired', ...json(z.object({ version: z.number().int(), retired: z.literal(true) })) },
    ...problemResponses(400, 401, 403, 409),
  },
});
