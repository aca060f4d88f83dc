import { z } from 'zod';
import { bearerAuth, problemResponses, registry } from '../http/openapi.js';

export const Period = z.string().regex(/^(19[7-9]\d|[2-9]\d{3})-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM, from 1970');
export const InvoiceQuery = z.object({ period: Period, verify: z.enum(['true', 'false']).optional() });
export const Close = z.object({ period: Period }).strict().openapi('ClosePeriod');
export const StatsQuery = z.object({ from: Period.optional(), to: Period.optional() });
export const Preferences = z.object({ statisticsOptOut: z.boolean() }).strict().openapi('Preferences');
const Dong = z.string().openapi({ description: 'whole đồng, as a decimal string' });
const Split = z.object({ provider: Dong, operator: Dong, stateBudget: Dong, citizens: Dong });
const Invoice = z
  .object({
    licenceId: z.string(),
    productId: z.string(),
    period: z.string(),
    units: z.number(),
    usageDong: Dong,
    subscriptionDong: Dong,
    totalDong: Dong,
    split: Split,
    status: z.enum(['OPEN', 'ANCHORED']),
  })
  .passthrough()
  .openapi('Invoice');
const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'get',
  path: '/v1/invoices',
  summary:
    "Monthly statements per licence, split between provider, operator, state budget and (CONSENTED products) citizens; a buyer sees its licences', a provider its products', the operator all. `verify=true` checks each anchored total against the ledger",
  security,
  request: { query: InvoiceQuery },
  responses: {
    200: { description: 'statements', ...json(z.object({ period: z.string(), roundingRule: z.string(), items: z.array(Invoice) })) },
    ...problemResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'post',
  path: '/v1/invoices/close',
  summary: "Close a finished month (the operator): anchor every statement's total on the ledger",
  security,
  request: { body: json(Close) },
  responses: { 200: { description: 'the anchored statements', ...json(z.object({ items: z.array(Invoice) })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/exchange/stats',
  summary: 'Public trade statistics: listed products, active licences, volume and value traded per month, the amount due to the state budget',
  request: { query: StatsQuery },
  responses: {
    200: { description: 'statistics', ...json(z.object({ listedProducts: z.unknown(), activeLicences: z.number(), periods: z.array(z.unknown()) })) },
    ...problemResponses(400),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/earnings',
  summary: 'What the signed-in citizen earned in a month from CONSENTED products that read their records',
  security,
  request: { query: InvoiceQuery.pick({ period: true }) },
  responses: {
    200: {
      description: 'earnings',
      ...json(
        z.object({
          period: z.string(),
          totalDong: Dong,
          items: z.array(z.object({ licenceId: z.string(), productId: z.string(), records: z.number(), amountDong: Dong })),
        }),
      ),
    },
    ...problemResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/v1/me/preferences',
  summary: "The signed-in citizen's choices, such as leaving statistics",
  security,
  responses: { 200: { description: 'preferences', ...json(Preferences) }, ...problemResponses(401, 403) },
});
registry.registerPath({
  method: 'put',
  path: '/v1/me/preferences',
  summary: 'Opt out of (or back into) statistical use: effective for every query after the answer',
  security,
  request: { body: json(Preferences) },
  responses: { 200: { description: 'preferences', ...json(Preferences) }, ...problemResponses(400, 401, 403) },
});
