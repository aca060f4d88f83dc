import { isFieldPath } from '@citizen-vault/chaincode/rules';
import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { REFUSAL_REASONS, type RefusalReason } from '../rights/index.js';

const REASONS = Object.keys(REFUSAL_REASONS) as [RefusalReason, ...RefusalReason[]];

/** Rectification's schemas: they parse the requests and describe them, with the answers, in the OpenAPI document. */
export const FileRectification = z
  .object({
    corrections: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .refine((c) => Object.keys(c).length >= 1 && Object.keys(c).length <= 100, 'name 1 to 100 fields')
      .refine((c) => Object.keys(c).every(isFieldPath), 'every key must be a field of the published vocabulary, such as residence.province')
      .openapi({
        description: 'The corrected value of each field to correct, by field path; checked against the field vocabulary',
        example: { 'residence.province': 'Hà Nội' },
      }),
  })
  .strict()
  .openapi('FileRectification');
export const RejectRectificationTask = z
  .object({ reason: z.enum(REASONS).openapi({ description: 'Why the custodian will not correct it; the citizen reads it in words' }) })
  .strict()
  .openapi('RejectRectificationTask');
export const NoBody = z.object({}).strict();
export const IdParam = z.object({ id: z.uuid() });
export const TaskListQuery = z.object({
  status: z.enum(['OPEN', 'ACCEPTED', 'REJECTED']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

const Words = z.object({ en: z.string(), vi: z.string() });
const TaskBase = z.object({
  id: z.string(),
  requestId: z.string(),
  recordId: z.string(),
  category: z.string(),
  fields: z.array(z.string()).openapi({ description: 'Field paths of the record the citizen asks to correct' }),
  status: z.enum(['OPEN', 'ACCEPTED', 'REJECTED']),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  rejection: z.object({ reason: z.enum(REASONS), explanation: Words }).nullable(),
  baseVersion: z.number().int().openapi({ description: 'The version of the record the correction was asked against' }),
  newVersion: z.number().int().nullable().openapi({ description: 'The version the acceptance made; the base version is kept, marked superseded' }),
});
export const CitizenTaskView = TaskBase.extend({ custodianOrgId: z.string() }).openapi('RectificationTaskForCitizen');
export const CustodianTaskView = TaskBase.extend({
  proposed: z.record(z.string(), z.unknown()).openapi({ description: 'The values the citizen proposes, by field path' }),
  dueAt: z.string().openapi({ description: "The request's completion deadline (Decree 356)" }),
}).openapi('RectificationTask');
const Filed = z
  .object({
    request: z.object({
      id: z.string(),
      kind: z.literal('RECTIFY'),
      state: z.string(),
      fields: z.array(z.string()),
      receivedAt: z.string(),
      replyDueAt: z.string(),
      dueAt: z.string(),
    }),
    tasks: z.array(CitizenTaskView),
  })
  .openapi('RectificationFiled');
const Version = z
  .object({
    version: z.number().int(),
    fields: z.record(z.string(), z.unknown()),
    commitment: z.string(),
    createdAt: z.string(),
    current: z.boolean(),
    supersededAt: z.string().nullable(),
    supersededBy: z.number().int().nullable(),
  })
  .openapi('RecordVersion');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'post',
  path: '/v1/me/rectifications',
  summary:
    'Ask for fields to be corrected (the signed-in citizen): files a RECTIFY request and gives each custodian holding a field a task; the proposed values are sealed with your data key',
  security,
  request: { body: json(FileRectification) },
  responses: { 201: { description: 'filed, with a task per record holding the fields', ...json(Filed) }, ...problemResponses(400, 401, 403, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/rectifications/{id}',
  summary: "The custodians' tasks of one of the signed-in citizen's rectification requests, with each outcome",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'tasks', ...json(z.object({ items: z.array(CitizenTaskView) })) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rectification-tasks',
  summary: "The calling custodian's rectification tasks, oldest first, with the proposed values, a page at a time (pass nextCursor back as cursor)",
  security,
  request: { query: TaskListQuery },
  responses: {
    200: { description: 'tasks', ...json(z.object({ items: z.array(CustodianTaskView), nextCursor: z.string() })) },
    ...problemResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rectification-tasks/{id}',
  summary: "One of the calling custodian's rectification tasks",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the task', ...json(CustodianTaskView) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rectification-tasks/{id}/versions',
  summary: "Every version of the task's record, oldest first: superseded versions are kept, marked with the version that replaced them",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'versions', ...json(z.object({ items: z.array(Version) })) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/rectification-tasks/{id}/accept',
  summary:
    'Accept a rectification task (its custodian): the record gets a new version with the proposed values, anchored on the ledger; the old version stays, marked superseded; consumers with an active consent on a corrected field are told',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the task, accepted', ...json(CustodianTaskView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/rectification-tasks/{id}/reject',
  summary: 'Reject a rectification task with a reason the citizen can read (its custodian)',
  security,
  request: { params: IdParam, body: json(RejectRectificationTask) },
  responses: { 200: { description: 'the task, rejected', ...json(CustodianTaskView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
