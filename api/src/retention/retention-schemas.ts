import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { DELETION_STATES, type DeletionState } from './retention-deadline.js';

const STATES = DELETION_STATES as [DeletionState, ...DeletionState[]];
const Cursor = z.string().max(200).optional();
const Limit = z.coerce.number().int().min(1).max(500).default(100);

export const ConsumerReadsQuery = z.object({ state: z.enum(STATES).optional(), limit: Limit, cursor: Cursor }).strict();
export const CitizenRetentionQuery = z.object({ limit: Limit, cursor: Cursor }).strict();
export const OverdueQuery = z.object({ consumerOrgId: z.uuid().optional(), limit: Limit, cursor: Cursor }).strict();
export const AccessEventParam = z.object({ accessEventId: z.uuid() });
export const NoBody = z.object({}).strict();

export const RetainedRead = z
  .object({
    accessEventId: z.string().openapi({ description: 'The granted read (an access event of the log)' }),
    consentId: z.string(),
    consumer: z.object({ id: z.string(), name: z.string() }),
    purpose: z.string(),
    fields: z.array(z.string()),
    readAt: z.string(),
    retentionDays: z.number().int().openapi({ description: "The consent's retentionDays when the read was made" }),
    deleteBy: z.string().openapi({ description: 'The read time plus retentionDays: what was read must be deleted by then' }),
    deletionConfirmedAt: z.string().nullable().openapi({ description: 'When the consumer confirmed the deletion (the first confirmation stays)' }),
    state: z.enum(STATES).openapi({ description: 'CONFIRMED; PENDING before the deadline; OVERDUE past it without a confirmation' }),
    confirmedLate: z.boolean().openapi({ description: 'The confirmation came after the deadline' }),
  })
  .openapi('RetainedRead');
const ReadPage = z.object({ items: z.array(RetainedRead), nextCursor: z.string() });
const CitizenRetention = ReadPage.extend({ overdue: z.number().int().openapi({ description: 'Reads of your data whose deletion is overdue' }) }).openapi(
  'CitizenRetention',
);
const OverdueReport = ReadPage.extend({ generatedAt: z.string() }).openapi('RetentionOverdueReport');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'get',
  path: '/v1/retention/reads',
  summary:
    "The calling organisation's granted reads with their deletion deadlines (read time plus the consent's retentionDays at read time), earliest deadline first, a page at a time",
  security,
  request: { query: ConsumerReadsQuery },
  responses: { 200: { description: 'a page', ...json(ReadPage) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/retention/reads/{accessEventId}/deletion-confirmation',
  summary:
    'Confirm that the calling organisation deleted what one of its reads gave it; idempotent (a second confirmation answers the first one); another organisation’s read is not found',
  security,
  request: { params: AccessEventParam },
  responses: { 200: { description: 'the read, confirmed', ...json(RetainedRead) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/retention',
  summary: "Reads of the signed-in citizen's data with each consumer's deletion deadline and whether it confirmed the deletion, newest first",
  security,
  request: { query: CitizenRetentionQuery },
  responses: { 200: { description: 'a page', ...json(CitizenRetention) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/audit/retention',
  summary: 'Deletions past their deadline that the consumer has not confirmed, earliest deadline first (auditor)',
  security,
  request: { query: OverdueQuery },
  responses: { 200: { description: 'the report', ...json(OverdueReport) }, ...problemResponses(400, 401, 403) },
});
