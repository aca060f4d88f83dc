import { isFieldPath } from '@citizen-vault/chaincode/rules';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import {
  EXTENSION_REASONS,
  MAX_EXTENSION_DAYS,
  REFUSAL_REASONS,
  REQUEST_KINDS,
  REQUEST_STATES,
  type ExtensionReason,
  type RefusalReason,
} from './request-lifecycle.js';

const REFUSALS = Object.keys(REFUSAL_REASONS) as [RefusalReason, ...RefusalReason[]];
const EXTENSIONS = Object.keys(EXTENSION_REASONS) as [ExtensionReason, ...ExtensionReason[]];

export const FileRightsRequest = z
  .object({
    kind: z.enum(REQUEST_KINDS),
    fields: z
      .array(z.string().refine(isFieldPath, 'must be a field of the published vocabulary, such as residence.province'))
      .min(1)
      .max(100)
      .refine((f) => new Set(f).size === f.length, 'fields must not repeat')
      .optional()
      .openapi({ description: 'The fields the request is about (RECTIFY, ERASE, RESTRICT, OBJECT); all of them when absent' }),
  })
  .strict()
  .openapi('FileRightsRequest');

export const AcknowledgeRightsRequest = z
  .object({
    processorMustAct: z
      .boolean()
      .optional()
      .openapi({ description: 'A processor or third party must act: the completion deadline becomes 20 days from receipt instead of 15' }),
  })
  .strict()
  .openapi('AcknowledgeRightsRequest');
export const ExtendRightsRequest = z
  .object({ days: z.number().int().min(1).max(MAX_EXTENSION_DAYS), reason: z.enum(EXTENSIONS) })
  .strict()
  .openapi('ExtendRightsRequest');
export const RefuseRightsRequest = z
  .object({ reason: z.enum(REFUSALS) })
  .strict()
  .openapi('RefuseRightsRequest');
export const NoBody = z.object({}).strict();
export const RequestIdParam = z.object({ id: z.uuid() });

const Words = z.object({ en: z.string(), vi: z.string() });
export const RightsRequestView = z
  .object({
    id: z.string(),
    kind: z.enum(REQUEST_KINDS),
    fields: z.array(z.string()),
    state: z.enum(REQUEST_STATES),
    processorMustAct: z.boolean(),
    receivedAt: z.string(),
    replyDueAt: z.string().openapi({ description: 'The reply is due by this time: 2 working days after receipt (Decree 356)' }),
    dueAt: z.string().openapi({ description: 'Completion is due by this time: 15 days after receipt, 20 when a processor must act, plus any extension' }),
    acknowledgedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    extension: z.object({ at: z.string(), days: z.number(), reason: z.enum(EXTENSIONS), explanation: Words, previousDueAt: z.string() }).nullable(),
    refusal: z.object({ reason: z.enum(REFUSALS), explanation: Words }).nullable(),
    clock: z.object({
      phase: z.enum(['REPLY', 'COMPLETION', 'CLOSED']),
      dueAt: z.string(),
      status: z.enum(['ON_TIME', 'DUE_SOON', 'OVERDUE', 'LATE']),
      replyLate: z.boolean(),
    }),
  })
  .openapi('RightsRequest');
export const RightsRequestStep = z
  .object({
    seq: z.number(),
    action: z.enum(['file', 'acknowledge', 'start', 'extend', 'complete', 'refuse']),
    from: z.enum(REQUEST_STATES).nullable(),
    to: z.enum(REQUEST_STATES),
    at: z.string(),
    dueAt: z.string(),
    reason: z.string().nullable(),
    actor: z.enum(['citizen', 'operator', 'custodian']),
    ledgerTransactionId: z.string().nullable().openapi({ description: 'The ledger transaction that recorded this step; null while it waits to be recorded' }),
  })
  .openapi('RightsRequestStep');
const WithHistory = RightsRequestView.extend({ history: z.array(RightsRequestStep) }).openapi('RightsRequestWithHistory');
const OperatorView = RightsRequestView.extend({ subjectId: z.string() }).openapi('RightsRequestForOperator');
const OperatorWithHistory = OperatorView.extend({ history: z.array(RightsRequestStep) }).openapi('RightsRequestForOperatorWithHistory');
const Report = z.object({ generatedAt: z.string(), overdue: z.array(OperatorView), late: z.array(OperatorView) }).openapi('RightsRequestReport');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'post',
  path: '/v1/me/rights-requests',
  summary:
    'File a data-subject request (the signed-in citizen): export, rectify, erase, restrict, object, or withdraw every consent; one open request of each kind at a time',
  security,
  request: { body: json(FileRightsRequest) },
  responses: { 201: { description: 'received, with its deadlines', ...json(RightsRequestView) }, ...problemResponses(400, 401, 403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/rights-requests',
  summary: "The signed-in citizen's requests with their deadlines, newest first",
  security,
  responses: { 200: { description: 'requests', ...json(z.object({ items: z.array(RightsRequestView) })) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/rights-requests/{id}',
  summary: "One of the signed-in citizen's requests, with every step and whether the ledger holds it",
  security,
  request: { params: RequestIdParam },
  responses: { 200: { description: 'the request', ...json(WithHistory) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rights-requests',
  summary: "The operator's queue: every open request with its clock (ON_TIME, DUE_SOON, OVERDUE), the most urgent first",
  security,
  responses: { 200: { description: 'open requests', ...json(z.object({ items: z.array(OperatorView) })) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rights-requests/{id}',
  summary: 'A request with its history (operator, auditor)',
  security,
  request: { params: RequestIdParam },
  responses: { 200: { description: 'the request', ...json(OperatorWithHistory) }, ...problemResponses(400, 401, 403, 404) },
});
const ACTIONS = {
  acknowledge: { summary: 'Acknowledge a received request (operator): the reply Decree 356 wants within 2 working days', body: AcknowledgeRightsRequest },
  start: { summary: 'Start work on an acknowledged request (operator)', body: undefined },
  extend: {
    summary: `Extend the completion deadline once, by 1 to ${MAX_EXTENSION_DAYS} days, with a reason, before it runs out (operator); a second extension is refused with extension_already_used`,
    body: ExtendRightsRequest,
  },
  complete: { summary: 'Complete a request in progress (operator)', body: undefined },
  refuse: { summary: 'Refuse an open request with a reason the citizen can read (operator)', body: RefuseRightsRequest },
} as const;
for (const [action, { summary, body }] of Object.entries(ACTIONS)) {
  registry.registerPath({
    method: 'post',
    path: `/v1/rights-requests/{id}/${action}`,
    summary,
    security,
    request: { params: RequestIdParam, ...(body ? { body: json(body) } : {}) },
    responses: { 200: { description: 'the request after the step', ...json(OperatorView) }, ...problemResponses(400, 401, 403, 404, 409) },
  });
}
registry.registerPath({
  method: 'get',
  path: '/v1/audit/rights-requests',
  summary: 'Requests open past their deadline, and requests completed or answered after theirs (auditor)',
  security,
  responses: { 200: { description: 'the report', ...json(Report) }, ...problemResponses(401, 403) },
});
