import { z } from 'zod';
import { ChaincodeError } from './errors.js';
import { isCategoryCode, isFieldPath } from './fields.js';
import { isPurposeCode } from './purposes.js';

/** Identifiers are chosen by the caller (UUIDs, v7 recommended) and only checked here, so the chaincode stays deterministic. */
export const Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest in lowercase hex');
export const Timestamp = z.iso.datetime({ offset: false, message: 'must be an ISO 8601 UTC timestamp' });
export const FieldPath = z.string().refine(isFieldPath, 'must be a field of the published vocabulary, such as residence.province');
export const CategoryCode = z.string().refine(isCategoryCode, 'must be a record category of the published vocabulary');
export const FieldList = z
  .array(FieldPath)
  .min(1)
  .max(200)
  .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field');
export const PurposeCode = z.string().refine(isPurposeCode, 'must be a purpose code from the published vocabulary');
/** Money is integer đồng, carried as a decimal string so no float ever touches it. */
export const Dong = z.string().regex(/^(0|[1-9][0-9]{0,17})$/, 'must be a whole number of đồng, as a string');
export const Role = z.enum(['custodian', 'provider', 'consumer', 'operator', 'auditor']);
export const MspId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be an MSP id');

export const AccessMode = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('ONCE') }).strict(),
  z.object({ mode: z.literal('PERIODIC'), limit: z.number().int().min(1).max(100_000), per: z.enum(['DAY', 'MONTH']) }).strict(),
]);

export const ConsentRequestInput = z
  .object({
    id: Id,
    subjectId: Id,
    consumerOrgId: Id,
    purpose: PurposeCode,
    requestedFields: FieldList,
    accessMode: AccessMode,
    validFrom: Timestamp,
    validUntil: Timestamp,
    retentionDays: z.number().int().min(0).max(3650),
    onwardTransfer: z.boolean(),
    crossBorder: z.boolean(),
    artefactHash: Sha256Hex,
  })
  .strict()
  .refine((c) => Date.parse(c.validUntil) > Date.parse(c.validFrom), { message: 'validUntil must be after validFrom', path: ['validUntil'] });

export const OrganizationInput = z
  .object({ id: Id, mspId: MspId, roles: z.array(Role).min(1).max(5) })
  .strict()
  .refine((o) => new Set(o.roles).size === o.roles.length, 'must not repeat a role');

export const CommitmentInput = z
  .object({
    recordId: Id,
    version: z.number().int().min(1).max(1_000_000),
    subjectId: Id,
    category: CategoryCode,
    custodianOrgId: Id,
    commitment: Sha256Hex,
  })
  .strict();

export const LicenceTerms = z
  .object({
    permittedPurposes: z.array(PurposeCode).min(1).max(20),
    durationDays: z.number().int().min(1).max(3650),
    prohibitedActions: z.array(z.enum(['re_identification', 'resale', 'onward_transfer', 'profiling', 'linkage'])).max(10),
    crossBorder: z.boolean(),
    attribution: z.boolean(),
    quota: z
      .object({ units: z.number().int().min(1), per: z.enum(['DAY', 'MONTH', 'LICENCE']) })
      .strict()
      .nullable(),
    /** Aggregate products only: the smallest cohort a statistic may describe. */
    minCohortSize: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

export const PricingPlan = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a short plan code'),
    kind: z.enum(['PAY_PER_QUERY', 'PER_RECORD', 'SUBSCRIPTION', 'FREE']),
    priceDong: Dong,
    includedUnits: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((p) => (p.kind === 'FREE') === (p.priceDong === '0'), 'a FREE plan costs 0 đồng, and only a FREE plan does');

export const ProductInput = z
  .object({
    id: Id,
    providerOrgId: Id,
    kind: z.enum(['AGGREGATE', 'CONSENTED', 'DATASET']),
    terms: LicenceTerms,
    plans: z.array(PricingPlan).min(1).max(10),
    /** Hash of the product's full description (titles, schema) kept off the ledger. */
    descriptionHash: Sha256Hex,
  })
  .strict()
  .refine((p) => new Set(p.plans.map((x) => x.id)).size === p.plans.length, 'plan ids must be unique');

export const LicenceInput = z
  .object({
    id: Id,
    productId: Id,
    planId: z.string(),
    buyerOrgId: Id,
    purpose: PurposeCode,
    validFrom: Timestamp,
    validUntil: Timestamp,
  })
  .strict()
  .refine((l) => Date.parse(l.validUntil) > Date.parse(l.validFrom), { message: 'validUntil must be after validFrom', path: ['validUntil'] });

export const StatementInput = z
  .object({
    licenceId: Id,
    period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
    units: z.number().int().min(0),
    amountDong: Dong,
  })
  .strict();

export const TreeHeadInput = z
  .object({
    treeSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    rootHash: Sha256Hex,
    timestamp: Timestamp,
    keyId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be a key id such as log-2026-11'),
    signature: z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, 'must be a base64url signature'),
    /** RFC 6962 consistency proof from the latest anchored head to this one (none for the first head). */
    consistencyProof: z.array(Sha256Hex).max(128).optional(),
  })
  .strict();

/** Why the operator sends a product back to its provider: codes, not free text, on a public ledger. */
export const RejectionReason = z.enum([
  'missing_purposes',
  'reidentification_risk',
  'resale_permitted',
  'no_minimum_cohort',
  'unclear_terms',
  'pricing',
  'other',
]);

export const UseCheckInput = z.object({ consentId: Id, consumerOrgId: Id, purpose: z.string(), fields: FieldList, at: Timestamp }).strict();

/** Parses a JSON argument against a schema, or fails with `invalid_argument` naming every problem. */
export function parseInput<T extends z.ZodType>(schema: T, json: string, what: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ChaincodeError('invalid_argument', `${what} is not valid JSON`);
  }
  return parseValue(schema, raw, what);
}

/** Checks a value against a schema, or fails with `invalid_argument` naming each problem and where it is. */
export function parseValue<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new ChaincodeError('invalid_argument', `${what}: ${problems}`);
  }
  return result.data;
}

export type ConsentRequest = z.infer<typeof ConsentRequestInput>;
export type AccessModeValue = z.infer<typeof AccessMode>;
export type OrganizationValue = z.infer<typeof OrganizationInput>;
export type CommitmentValue = z.infer<typeof CommitmentInput>;
export type ProductValue = z.infer<typeof ProductInput>;
export type LicenceTermsValue = z.infer<typeof LicenceTerms>;
export type LicenceValue = z.infer<typeof LicenceInput>;
export type StatementValue = z.infer<typeof StatementInput>;
export type TreeHeadValue = z.infer<typeof TreeHeadInput>;
export type UseCheckValue = z.infer<typeof UseCheckInput>;
