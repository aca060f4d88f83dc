import { z } from 'zod';
import { problemResponses, registry } from '../http/openapi.js';

/** The passkeys API's schemas (issue 17): they parse the requests and describe them in the OpenAPI document. */
const Base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url')
  .max(8000);

export const ConsentIdParam = z.object({ id: z.uuid() });
export const CredentialIdParam = z.object({ credentialId: z.string().regex(/^[A-Za-z0-9_-]{1,1366}$/, 'must be a credential id (base64url)') });
export const EvidenceQuery = z
  .object({
    transactionId: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a ledger transaction id')
      .optional(),
  })
  .strict();
export const PasskeyEventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(200).optional() }).strict();

/** What `navigator.credentials.create()` answered, as @simplewebauthn/browser encodes it. */
export const RegistrationResponse = z
  .object({
    id: Base64url.min(1),
    rawId: Base64url.min(1),
    type: z.literal('public-key'),
    response: z.object({ clientDataJSON: Base64url, attestationObject: Base64url, transports: z.array(z.string().max(30)).max(10).optional() }).loose(),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  })
  .strict()
  .openapi('PasskeyRegistrationResponse');

/** What `navigator.credentials.get()` answered, as @simplewebauthn/browser encodes it. */
export const AuthenticationResponse = z
  .object({
    id: Base64url.min(1),
    rawId: Base64url.min(1),
    type: z.literal('public-key'),
    response: z.object({ clientDataJSON: Base64url, authenticatorData: Base64url, signature: Base64url, userHandle: Base64url.optional() }).strict(),
    clientExtensionResults: z.record(z.string(), z.unknown()),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  })
  .strict()
  .openapi('PasskeyAuthenticationResponse');

export const DecisionChallengeRequest = z
  .object({
    action: z.enum(['approve', 'reject', 'pause', 'resume', 'revoke']),
    fields: z
      .array(z.string())
      .min(1)
      .max(100)
      .refine((f) => new Set(f).size === f.length, 'fields must not repeat')
      .optional()
      .describe('approve only: the requested fields to grant (all if absent)'),
  })
  .strict()
  .refine((b) => b.action === 'approve' || b.fields === undefined, { message: 'only an approval names fields', path: ['fields'] })
  .openapi('DecisionChallengeRequest');

export const DecisionStatementView = z
  .object({
    consentId: z.string(),
    artefactHash: z.string(),
    action: z.enum(['approve', 'reject', 'pause', 'resume', 'revoke']),
    grantedFields: z.array(z.string()),
    at: z.string(),
  })
  .openapi('DecisionStatement');

export const SignedDecisionRequest = z.object({ response: AuthenticationResponse }).strict().openapi('SignedDecisionRequest');

export const PasskeyView = z.object({ id: z.string(), publicKeyHash: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() }).openapi('Passkey');

export const DecisionView = z
  .object({
    consentId: z.string(),
    transactionId: z.string(),
    action: z.string(),
    method: z.enum(['passkey', 'session']).describe('passkey: the device signed it; session: only the session (or token) vouched for it'),
    at: z.string(),
  })
  .openapi('ConsentDecisionAuthentication');

const PasskeyEventView = z
  .object({
    id: z.string(),
    at: z.string(),
    event: z.enum(['passkey-added', 'passkey-removed', 'passkey-refused']),
    subjectId: z.string().describe("the vault's pseudonymous subject id; never a national id"),
    credentialId: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('PasskeyEvent');

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearerAuth: [] }];

/** Registers the passkeys API's paths in the OpenAPI document, once, where the routes module is evaluated. */
export function registerPasskeyPaths(): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/me/passkeys',
    summary: "The signed-in citizen's passkeys",
    security,
    responses: { 200: { description: 'passkeys', ...json(z.object({ items: z.array(PasskeyView) })) }, ...problemResponses(401, 403) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/me/passkeys/registration-options',
    summary: 'WebAuthn creation options to register a passkey (a one-time challenge, 5 minutes)',
    security,
    responses: {
      200: { description: 'PublicKeyCredentialCreationOptionsJSON', ...json(z.record(z.string(), z.unknown())) },
      ...problemResponses(401, 403, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/me/passkeys',
    summary: 'Register a passkey from the WebAuthn creation response (ES256, user verification required)',
    security,
    request: { body: json(RegistrationResponse) },
    responses: { 201: { description: 'registered', ...json(PasskeyView) }, ...problemResponses(400, 401, 403, 409, 429) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/me/passkeys/{credentialId}',
    summary: 'Remove a passkey',
    security,
    request: { params: CredentialIdParam },
    responses: { 204: { description: 'removed' }, ...problemResponses(401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/consents/{id}/decision-challenge',
    summary: "The statement a decision commits to and the WebAuthn request options whose challenge is its hash (the citizen's passkey signs it)",
    security,
    request: { params: ConsentIdParam, body: json(DecisionChallengeRequest) },
    responses: {
      200: {
        description: 'the statement and the options',
        ...json(z.object({ statement: DecisionStatementView, options: z.record(z.string(), z.unknown()) })),
      },
      ...problemResponses(400, 401, 403, 404, 409, 429),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/consents/{id}/signed-decision',
    summary: 'Make the decision the device signed: verified here and by the chaincode, recorded with the key and assertion hashes',
    description:
      'A retry is safe: the exact same assertion sent again for the same consent after its decision committed (an answer lost on the way) answers 200 ' +
      'with that decision again — the same transaction id, and the consent state the decision left — and changes nothing. A different assertion over ' +
      'a challenge already used, or the same assertion sent for another consent, is still refused.',
    security,
    request: { params: ConsentIdParam, body: json(SignedDecisionRequest) },
    responses: {
      200: { description: 'the consent after the decision, and the ledger transaction', ...json(z.record(z.string(), z.unknown())) },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/consent-decisions',
    summary: "How each decision on the signed-in citizen's consents was authenticated, newest first",
    security,
    responses: { 200: { description: 'decisions', ...json(z.object({ items: z.array(DecisionView) })) }, ...problemResponses(401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/me/consents/{id}/evidence',
    summary: 'The evidence package of a device-signed decision (artefact JWS, assertion, transaction id, log inclusion proof), for offline verification',
    security,
    request: { params: ConsentIdParam, query: EvidenceQuery },
    responses: {
      200: { description: 'canonical JSON', ...json(z.record(z.string(), z.unknown())) },
      ...problemResponses(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/audit/passkey-events',
    summary: 'Passkeys added, removed and refused, newest first (auditors and the operator)',
    security,
    request: { query: PasskeyEventsQuery },
    responses: {
      200: { description: 'a page of events', ...json(z.object({ items: z.array(PasskeyEventView), nextCursor: z.string() })) },
      ...problemResponses(400, 401, 403),
    },
  });
}
