import type { RefusalReason } from '../rights/index.js';

export type TaskStatus = 'OPEN' | 'ACCEPTED' | 'REJECTED';

/** A rectification task: one record holding fields a citizen asks to correct, for the custodian that deposited it. */
export interface RectificationTask {
  id: string;
  requestId: string;
  /** The vault's pseudonymous subject id. */
  subjectId: string;
  custodianOrgId: string;
  recordId: string;
  category: string;
  /** Field names of the record's category ('province'). */
  fields: string[];
  /** The record's version the correction was asked against. */
  baseVersion: number;
  status: TaskStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  rejectReason: RefusalReason | null;
  /** The record's version the acceptance made. */
  newVersion: number | null;
}

/** A proposed value, sealed with the citizen's data key. */
export interface SealedProposal {
  /** `category.field`. */
  field: string;
  sealed: Buffer;
}

export type Resolution = { status: 'ACCEPTED'; newVersion: number } | { status: 'REJECTED'; reason: RefusalReason };

/** Where tasks and the sealed proposals are kept. */
export interface RectificationStore {
  /** A request's sealed proposals and its tasks, in one transaction. */
  insert(requestId: string, proposals: readonly SealedProposal[], tasks: readonly RectificationTask[]): Promise<void>;
  get(id: string): Promise<RectificationTask | undefined>;
  /** A custodian's tasks, oldest first (the work queue), a page at a time after the `(createdAt, id)` cursor. */
  forCustodian(custodianOrgId: string, page: { status?: TaskStatus; limit: number; after?: { createdAt: Date; id: string } }): Promise<RectificationTask[]>;
  forRequest(requestId: string): Promise<RectificationTask[]>;
  proposals(requestId: string): Promise<SealedProposal[]>;
  /** Resolves an open task; false when it was no longer open. */
  resolve(id: string, resolution: Resolution, at: Date): Promise<boolean>;
}

/** A consent whose consumer is told when a field it may read is corrected. */
export interface ActiveConsent {
  id: string;
  consumerOrgId: string;
  /** `category.field` paths the consent grants. */
  grantedFields: readonly string[];
}

/** The consents currently active for a subject (the consent store fits, filtered). */
export interface ActiveConsents {
  activeFor(subjectId: string): Promise<ActiveConsent[]>;
}

/** Sends an organisation a webhook event (the webhook service fits). */
export interface Notifier {
  notify(organizationId: string, eventType: string, data: Record<string, unknown>): Promise<void>;
}
