import { isCategoryCode, isFieldPath } from '@citizen-vault/chaincode/rules';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';

const unique = <T extends z.ZodType<string>>(item: T, max: number, what: string) =>
  z
    .array(item)
    .min(1)
    .max(max)
    .refine((a) => new Set(a).size === a.length, `${what} must not repeat`);

// Years outside 2000–2099 are a typing mistake here, and some (year 0) Postgres cannot even store.
const Instant = z.iso
  .datetime({ offset: true })
  .refine((s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 2000 && year < 2100;
  }, 'must be a time between the years 2000 and 2099')
  .openapi({ description: 'An ISO 8601 time with its offset', example: '2026-12-01T08:30:00Z' });
const Text = (max: number, description: string) => z.string().max(max).openapi({ description });

const Scope = {
  dataCategories: unique(
    z.string().refine(isCategoryCode, 'must be a record category of the published vocabulary, such as residence'),
    20,
    'data categories',
  ).openapi({
    description: 'The record categories involved (identity, residence, …)',
  }),
  consumerOrgIds: unique(z.uuid(), 100, 'organisations').openapi({ description: 'The consumer organisations whose reads are involved' }),
  fields: unique(z.string().refine(isFieldPath, 'must be a field of the published vocabulary, such as residence.province'), 100, 'fields').openapi({
    description: 'The fields involved; each belongs to one of the data categories',
  }),
  window: z.object({ from: Instant, to: Instant }).strict().openapi({ description: 'Reads at or after `from` and before `to` are involved' }),
};
const Narrative = {
  summary: Text(2000, 'What happened, for the authority and the citizens: no personal data').min(1),
  consequences: Text(4000, 'The possible consequences and harm').optional(),
  measures: Text(4000, 'The measures taken to handle the breach and limit the harm').optional(),
  contact: Text(500, 'Who is in charge of data protection, and how to reach them').optional(),
  lateReason: Text(2000, 'Why the authority was told after 72 hours, when it was').optional(),
};

export const RecordBreach = z
  .object({ detectedAt: Instant.openapi({ description: 'When the breach was detected: the 72-hour clock runs from here' }), ...Scope, ...Narrative })
  .strict()
  .openapi('RecordBreach');

export const UpdateBreach = z
  .object({
    dataCategories: Scope.dataCategories.optional(),
    consumerOrgIds: Scope.consumerOrgIds.optional(),
    fields: Scope.fields.optional(),
    window: Scope.window.optional(),
    summary: Narrative.summary.optional(),
    consequences: Narrative.consequences,
    measures: Narrative.measures,
    contact: Narrative.contact,
    lateReason: Narrative.lateReason,
    authorityNotifiedAt: Instant.optional().openapi({ description: 'When the authority was notified: the clock stops' }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one thing to change')
  .openapi('UpdateBreach');

export const CloseBreach = z
  .object({
    authorityNotifiedAt: Instant.optional().openapi({ description: 'When the authority was notified, unless already given' }),
    measures: Narrative.measures,
    lateReason: Narrative.lateReason,
  })
  .strict()
  .openapi('CloseBreach');

export const BreachIdParam = z.object({ id: z.uuid() });
export const FormQuery = z.object({ format: z.enum(['json', 'html']).default('json') }).strict();

const Clock = z
  .object({
    dueAt: z.string(),
    status: z.enum(['ON_TIME', 'DUE_SOON', 'OVERDUE', 'NOTIFIED', 'NOTIFIED_LATE']),
    minutesLeft: z
      .number()
      .nullable()
      .openapi({ description: 'Minutes left before the 72 hours run out (negative once past); null once the authority is notified' }),
  })
  .openapi('BreachClock');

export const BreachView = z
  .object({
    id: z.string(),
    state: z.enum(['OPEN', 'CLOSED']),
    summary: z.string(),
    detectedAt: z.string(),
    recordedAt: z.string(),
    notifyDueAt: z.string().openapi({ description: '72 hours after detection' }),
    dataCategories: z.array(z.string()),
    consumerOrgIds: z.array(z.string()),
    fields: z.array(z.string()),
    window: z.object({ from: z.string(), to: z.string() }),
    consequences: z.string(),
    measures: z.string(),
    contact: z.string(),
    lateReason: z.string(),
    authorityNotifiedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    affectedSubjects: z.number().openapi({ description: 'Citizens whose data one of the consumers read inside the window, computed from the access log' }),
    affectedReads: z.number(),
    version: z.number(),
    clock: Clock,
  })
  .openapi('Breach');

const BreachVersion = z
  .object({
    version: z.number(),
    action: z.enum(['record', 'update', 'close']),
    at: z.string(),
    recordHash: z.string().openapi({ description: 'SHA-256 of the canonical record of this version, as the ledger holds it' }),
    ledgerTransactionId: z.string().nullable().openapi({ description: 'The ledger transaction that recorded this version; null while it waits' }),
  })
  .openapi('BreachVersion');

export const BreachDetailView = BreachView.extend({
  consumers: z.array(z.object({ id: z.string(), name: z.string(), affectedSubjects: z.number() })),
  versions: z.array(BreachVersion),
}).openapi('BreachDetail');

export const BreachNoticeView = z
  .object({
    breachId: z.string(),
    state: z.enum(['OPEN', 'CLOSED']),
    summary: z.string(),
    detectedAt: z.string(),
    notifiedAt: z.string().openapi({ description: 'When this notice was first shown to you' }),
    fields: z.array(z.string()).openapi({ description: 'Your fields that the breach involved' }),
    consumers: z.array(z.object({ id: z.string(), name: z.string() })).openapi({ description: 'The organisations whose reads of your data are involved' }),
    reads: z.number(),
    firstReadAt: z.string(),
    lastReadAt: z.string(),
    measures: z.string(),
    contact: z.string(),
    closedAt: z.string().nullable(),
  })
  .openapi('BreachNotice');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'post',
  path: '/v1/breaches',
  summary:
    'Record a personal-data breach (operator): the citizens affected are computed from the access log, each organisation concerned gets a breach.recorded webhook, the record is anchored on the ledger, and the 72-hour clock runs from detection',
  security,
  request: { body: json(RecordBreach) },
  responses: { 201: { description: 'recorded, with its clock', ...json(BreachView) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/breaches',
  summary: 'The breach register (operator): open breaches first by deadline, each with its 72-hour clock',
  security,
  responses: { 200: { description: 'breaches', ...json(z.object({ items: z.array(BreachView) })) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/breaches/{id}',
  summary: 'A breach with its organisations and its versions on the ledger (operator, auditor)',
  security,
  request: { params: BreachIdParam },
  responses: { 200: { description: 'the breach', ...json(BreachDetailView) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/breaches/{id}/update',
  summary:
    'Change an open breach (operator): its scope (the affected citizens are recomputed), its narrative, or when the authority was notified; the detection time never changes',
  security,
  request: { params: BreachIdParam, body: json(UpdateBreach) },
  responses: { 200: { description: 'the breach after the change', ...json(BreachView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/breaches/{id}/close',
  summary: 'Close a breach once the authority is notified, with the measures taken (and the reason, when notice came after 72 hours) (operator)',
  security,
  request: { params: BreachIdParam, body: json(CloseBreach) },
  responses: { 200: { description: 'the closed breach', ...json(BreachView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/breaches/{id}/authority-form',
  summary:
    "The notification in the authority's form (operator, auditor): JSON with the canonical record the ledger's hash covers, or a Vietnamese HTML document",
  security,
  request: { params: BreachIdParam, query: FormQuery },
  responses: {
    200: { description: 'the form', content: { 'application/json': { schema: z.object({}).passthrough() }, 'text/html': { schema: z.string() } } },
    ...problemResponses(400, 401, 403, 404),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/audit/breaches',
  summary: 'Every breach with its 72-hour clock (auditor): open past the deadline, notified late, and whether each version is on the ledger',
  security,
  responses: {
    200: { description: 'the register', ...json(z.object({ generatedAt: z.string(), items: z.array(BreachDetailView) }).openapi('BreachAuditReport')) },
    ...problemResponses(401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/breach-notices',
  summary: "Breaches that involved the signed-in citizen's data: which fields, which organisations, when, and what was done",
  security,
  responses: { 200: { description: 'notices, newest first', ...json(z.object({ items: z.array(BreachNoticeView) })) }, ...problemResponses(401, 403) },
});
