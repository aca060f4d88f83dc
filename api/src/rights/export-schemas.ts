import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { RequestIdParam } from './rights-schemas.js';

export const ExportQuery = z.object({ format: z.enum(['json', 'html']).default('json') }).strict();

const Party = z.object({ id: z.string(), name: z.string() });
export const ExportBundleSchema = z
  .object({
    format: z.literal('citizen-vault-export/v1'),
    requestId: z.string(),
    subjectId: z.string(),
    generatedAt: z.string(),
    asOf: z.string().openapi({ description: 'The time of the signed tree head the access history is proven against' }),
    log: z.object({
      treeHead: z
        .object({
          treeSize: z.number().int(),
          rootHash: z.string(),
          timestamp: z.string(),
          keyId: z.string(),
          signature: z.string(),
          anchor: z.object({ transactionId: z.string(), blockNumber: z.number().int() }).nullable(),
        })
        .nullable(),
      publicKey: z.object({ keyId: z.string(), jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() }) }),
    }),
    records: z.array(
      z.object({
        id: z.string(),
        category: z.string(),
        version: z.number().int(),
        custodian: Party,
        depositedAt: z.string(),
        fields: z.record(z.string(), z.unknown()),
        commitment: z.string(),
        salt: z.string().openapi({ description: "base64 salt: with the record's fields it recomputes the commitment anchored on the ledger" }),
      }),
    ),
    consents: z.array(
      z.object({
        id: z.string(),
        consumer: Party,
        purpose: z.string(),
        status: z.string(),
        requestedFields: z.array(z.string()),
        grantedFields: z.array(z.string()),
        mode: z.string(),
        validFrom: z.string(),
        validUntil: z.string(),
        retentionDays: z.number().int(),
        onwardTransfer: z.boolean(),
        crossBorder: z.boolean(),
        justification: z.string(),
        requestedAt: z.string(),
        decidedAt: z.string().nullable(),
        artefactHash: z.string(),
        signedArtefact: z.string().openapi({ description: 'The consent record as a compact JWS (ES256) signed by the vault' }),
      }),
    ),
    accessEvents: z.array(
      z.object({
        id: z.string(),
        consentId: z.string(),
        consumer: Party,
        purpose: z.string(),
        fields: z.array(z.string()),
        outcome: z.enum(['GRANTED', 'DENIED']),
        reason: z.string().nullable(),
        at: z.string(),
        leafIndex: z.number().int(),
        logEntry: z.string(),
        inclusionProof: z.object({ treeSize: z.number().int(), leafHash: z.string(), auditPath: z.array(z.string()) }),
      }),
    ),
    licences: z.array(
      z.object({
        licenceId: z.string(),
        product: z.object({ id: z.string(), kind: z.string(), title: z.object({ vi: z.string(), en: z.string() }) }),
        buyer: Party,
        purpose: z.string(),
        uses: z.number().int(),
        records: z.number().int(),
        firstUseAt: z.string(),
        lastUseAt: z.string(),
        earnings: z.array(z.object({ period: z.string(), records: z.number().int(), amountDong: z.string() })),
        earnedDong: z.string(),
      }),
    ),
    totals: z.object({
      records: z.number().int(),
      consents: z.number().int(),
      accessEvents: z.number().int(),
      licences: z.number().int(),
      earnedDong: z.string(),
    }),
  })
  .openapi('ExportBundle');

registry.registerPath({
  method: 'get',
  path: '/v1/me/rights-requests/{id}/export',
  summary:
    "Download the signed-in citizen's export once its EXPORT request is completed: everything held about them as a JSON bundle with its evidence (format=json), or as a document in Vietnamese (format=html); export_not_ready (409) until then",
  security: [{ [bearerAuth.name]: [] }],
  request: { params: RequestIdParam, query: ExportQuery },
  responses: {
    200: {
      description: 'the export',
      content: { 'application/json': { schema: ExportBundleSchema }, 'text/html': { schema: z.string() } },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});
