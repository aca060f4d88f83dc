export { CitizenVault, CitizenVaultStaff, type CitizenVaultOptions, type StaffClientOptions } from './client.js';
export { generateOrganizationKeys, type OrganizationKeys, type PrivateKeyInput } from './keys.js';
export { verifyWebhookSignature, generateTestWebhookHeaders } from './webhooks.js';
export type { Consent, ConsentRequest, ConsentStatus, ConsentedData, NoticeRef } from './resources/consents.js';
export type { DepositedRecord } from './resources/records.js';
export type {
  Dimension,
  Invoice,
  Licence,
  LicenceTerms,
  Metering,
  PricingPlan,
  Product,
  ProductKind,
  ProductRequest,
  ProductStatus,
  Statistics,
} from './resources/exchange.js';
export type { Organization } from './resources/organizations.js';
export type { WebhookDelivery } from './resources/webhook-endpoints.js';
export type { RecordVersion, RectificationRejectReason, RectificationTask, RectificationTaskStatus } from './resources/rectification-tasks.js';
export type { DeletionState, RetainedRead } from './resources/deletions.js';
export type { ListResult, Page } from './list.js';
export {
  verifyLogEntry,
  verifyInclusion,
  verifyConsistency,
  verifyTreeHead,
  leafHash,
  hexToBytes,
  bytesToHex,
  type SignedTreeHead,
  type LogPublicKey,
  type EntryVerification,
} from './log-proofs.js';
export {
  verifyEvidencePackage,
  EVIDENCE_FORMAT,
  type EvidenceVerification,
  type EvidenceOptions,
  type TrustedArtefactKey,
  type TrustedLogKey,
  type DecisionStatement,
} from './evidence-package.js';
export * from './errors.js';
