import { bearerAuth, problemResponses, registry, z } from '../http/openapi.js';
import { ERASURE_STEPS } from './erasure.js';

/** A reason as the operator records it: kept in the vault's database; the ledger gets its SHA-256 only. */
const Reason = z
  .string()
  .trim()
  .min(3)
  .max(500)
  .openapi({ description: "The operator's reason (a court order's reference, an investigation). Stored off the ledger; the ledger records its SHA-256" });

export const PlaceLegalHold = z.object({ subjectId: z.uuid(), reason: Reason }).strict().openapi('PlaceLegalHold');
export const LiftWithReason = z.object({ reason: Reason }).strict().openapi('LiftWithReason');
export const HoldsQuery = z.object({ subjectId: z.uuid() }).strict();
export const IdParam = z.object({ id: z.uuid() });

export const LegalHoldView = z
  .object({
    id: z.string(),
    subjectId: z.string(),
    reason: z.string(),
    placedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftReason: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('LegalHold');
export const RestrictionView = z
  .object({
    requestId: z.string(),
    subjectId: z.string(),
    kind: z.enum(['RESTRICT', 'OBJECT']),
    placedAt: z.string(),
    liftedAt: z.string().nullable(),
    liftReason: z.string().nullable(),
    active: z.boolean(),
  })
  .openapi('SubjectRestriction');
export const ErasureView = z
  .object({
    requestId: z.string(),
    subjectId: z.string(),
    steps: z.array(z.enum(ERASURE_STEPS)).openapi({ description: `The steps done so far, of ${ERASURE_STEPS.join(' → ')}` }),
    startedAt: z.string(),
    erasedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    certificateSha256: z.string().nullable(),
  })
  .openapi('Erasure');
export const CertificateView = z
  .object({
    certificate: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'The certificate: what was destroyed, deleted and kept, with pseudonymous ids only' }),
    jws: z
      .string()
      .openapi({ description: "Compact JWS (ES256, typ erasure-certificate+jws) of the certificate's canonical JSON, by the key of /.well-known/jwks.json" }),
    sha256: z.string().openapi({ description: "SHA-256 of the certificate's canonical JSON: the digest anchored on the ledger" }),
    ledgerTransactionId: z
      .string()
      .nullable()
      .openapi({ description: 'The ledger transaction that anchored the digest (rights.RecordSubjectControl); null while it waits' }),
  })
  .openapi('ErasureCertificate');

const security = [{ [bearerAuth.name]: [] }];
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

registry.registerPath({
  method: 'get',
  path: '/v1/me/rights-requests/{id}/certificate',
  summary:
    "The erasure certificate of the signed-in citizen's ERASE request, signed by the vault and anchored on the ledger. Ownership is checked by the per-request claim kept at filing (the blind index no longer resolves an erased citizen); 409 erasure_certificate_not_ready until carried out",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the certificate', ...json(CertificateView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/legal-holds',
  summary:
    "Place a legal hold on a subject (operator): it blocks erasure (legal_hold_active) until lifted; recorded on the ledger with the reason's SHA-256 only",
  security,
  request: { body: json(PlaceLegalHold) },
  responses: { 201: { description: 'the hold', ...json(LegalHoldView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/legal-holds',
  summary: "A subject's legal holds, active and lifted (operator, auditor)",
  security,
  request: { query: HoldsQuery },
  responses: { 200: { description: 'holds', ...json(z.object({ items: z.array(LegalHoldView) })) }, ...problemResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/legal-holds/{id}/lift',
  summary: 'Lift a legal hold with a reason (operator); recorded on the ledger',
  security,
  request: { params: IdParam, body: json(LiftWithReason) },
  responses: { 200: { description: 'the hold, lifted', ...json(LegalHoldView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rights-requests/{id}/restriction',
  summary:
    'The restriction a completed RESTRICT or OBJECT request placed (operator, auditor): while active, reads of the subject are refused (subject_restricted) and statistics leave them out',
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the restriction', ...json(RestrictionView) }, ...problemResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/v1/rights-requests/{id}/lift-restriction',
  summary: 'Lift the restriction a RESTRICT or OBJECT request placed, with a reason (operator); recorded on the ledger',
  security,
  request: { params: IdParam, body: json(LiftWithReason) },
  responses: { 200: { description: 'the restriction, lifted', ...json(RestrictionView) }, ...problemResponses(400, 401, 403, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/v1/rights-requests/{id}/erasure',
  summary: "An ERASE request's erasure: the steps done so far (operator, auditor)",
  security,
  request: { params: IdParam },
  responses: { 200: { description: 'the erasure', ...json(ErasureView) }, ...problemResponses(400, 401, 403, 404) },
});
