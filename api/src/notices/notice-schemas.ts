import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';

/** The notices API's schemas: they parse the requests and describe them, with the answers, in the OpenAPI document. */
const KINDS = ['purpose', 'field', 'organization'] as const;
const Text = z
  .object({ vi: z.string().trim().min(1).max(8000), en: z.string().trim().min(1).max(8000) })
  .strict()
  .openapi('NoticeText', { description: 'The words as shown, in Vietnamese and English' });

export const NoticeKey = z.object({
  kind: z.enum(KINDS).openapi({ description: "purpose (a purpose code), field (a field path) or organization (an organisation's id)" }),
  key: z.string().min(1).max(100),
});
export const NoticeVersionKey = NoticeKey.extend({ version: z.coerce.number().int().min(1).max(1_000_000) });
export const KindQuery = z.object({ kind: z.enum(KINDS) }).strict();

export const PublishNotice = z
  .object({
    text: Text,
    material: z.boolean().openapi({
      description: 'A material change asks every active or paused consent given under an earlier version again (a successor request with the same terms)',
    }),
    rule: z
      .enum(['continue', 'pause'])
      .optional()
      .openapi({ description: 'Material changes only: whether reads continue until the citizen answers, or pause at once' }),
    changeSummary: Text.optional().openapi({ description: 'What changed, shown to the citizens asked again' }),
  })
  .strict()
  .openapi('PublishNotice');

export const NoticeView = z
  .object({
    kind: z.enum(KINDS),
    key: z.string(),
    version: z.number(),
    text: Text,
    textHash: z.string().openapi({ description: "SHA-256 of the canonical {kind, key, version, text}: what a consent's artefact names this version by" }),
    material: z.boolean(),
    rule: z.enum(['continue', 'pause']).nullable(),
    changeSummary: Text.nullable(),
    publishedAt: z.string(),
    leafIndex: z
      .number()
      .nullable()
      .openapi({ description: "The verifiable log's leaf recording this version; null for the few seconds before it is appended" }),
  })
  .openapi('Notice');

export const PublishedView = z.object({ notice: NoticeView, affectedConsents: z.number() }).openapi('PublishedNotice');

export const ReconsentView = z
  .object({
    consentId: z.string().openapi({ description: 'The consent given under the replaced text' }),
    successorId: z
      .string()
      .nullable()
      .openapi({ description: 'The request that asks again, with the same terms under the current notices; null for the few seconds before it is made' }),
    rule: z.enum(['continue', 'pause']).openapi({ description: 'pause: the consent cannot be read until answered' }),
    createdAt: z.string(),
    changed: z.array(NoticeView),
  })
  .openapi('Reconsent');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

export function registerNoticePaths(): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/notices',
    summary: 'The current version of every notice of a kind (any signed-in role)',
    security,
    request: { query: KindQuery },
    responses: { 200: { description: 'current versions', ...json(z.object({ items: z.array(NoticeView) })) }, ...problemResponses(400, 401) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/notices/{kind}/{key}',
    summary: 'Every version of one notice, newest first (any signed-in role)',
    security,
    request: { params: NoticeKey },
    responses: { 200: { description: 'versions', ...json(z.object({ items: z.array(NoticeView) })) }, ...problemResponses(400, 401, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/notices/{kind}/{key}/{version}',
    summary: "One version of a notice, exactly as shown: what a consent's artefact names by its hash (any signed-in role)",
    security,
    request: { params: NoticeVersionKey },
    responses: { 200: { description: 'the version', ...json(NoticeView) }, ...problemResponses(400, 401, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/notices/{kind}/{key}',
    summary:
      'Publish a new version of a notice: the operator for purposes and field descriptions, an organisation for its own consent notice. A material version marks every active or paused consent given under an earlier one for re-consent: the citizen gets a successor request with the same terms, and reads follow the declared rule until they answer',
    security,
    request: { params: NoticeKey, body: json(PublishNotice) },
    responses: { 201: { description: 'published', ...json(PublishedView) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/reconsents',
    summary: "The signed-in citizen's consents a material notice change asks again, with what changed and the request to answer",
    security,
    responses: { 200: { description: 'open re-consents, newest first', ...json(z.object({ items: z.array(ReconsentView) })) }, ...problemResponses(401, 403) },
  });
}
