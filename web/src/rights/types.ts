/** Data-subject requests as the API answers them (RightsRequest, RightsRequestStep in /openapi.json). */

export const REQUEST_KINDS = ['EXPORT', 'RECTIFY', 'ERASE', 'RESTRICT', 'OBJECT', 'WITHDRAW_ALL'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestState = 'RECEIVED' | 'ACKNOWLEDGED' | 'IN_PROGRESS' | 'EXTENDED' | 'COMPLETED' | 'REFUSED';

export const REFUSAL_REASONS = [
  'LEGAL_OBLIGATION',
  'NATIONAL_DEFENCE_OR_SECURITY',
  'RIGHTS_OF_OTHERS',
  'IDENTITY_NOT_VERIFIED',
  'DUPLICATE_REQUEST',
  'MANIFESTLY_UNFOUNDED',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const EXTENSION_REASONS = ['PROCESSOR_MUST_ACT', 'COMPLEX_REQUEST', 'MANY_REQUESTS'] as const;
export type ExtensionReason = (typeof EXTENSION_REASONS)[number];
/** Decree 356: one extension of at most 15 days. */
export const MAX_EXTENSION_DAYS = 15;

type Words = { en: string; vi: string };

export interface RightsRequest {
  id: string;
  kind: RequestKind;
  fields: string[];
  state: RequestState;
  processorMustAct: boolean;
  receivedAt: string;
  replyDueAt: string;
  dueAt: string;
  acknowledgedAt: string | null;
  startedAt: string | null;
  closedAt: string | null;
  extension: { at: string; days: number; reason: ExtensionReason; explanation: Words; previousDueAt: string } | null;
  refusal: { reason: RefusalReason; explanation: Words } | null;
  clock: { phase: 'REPLY' | 'COMPLETION' | 'CLOSED'; dueAt: string; status: 'ON_TIME' | 'DUE_SOON' | 'OVERDUE' | 'LATE'; replyLate: boolean };
  /** The pseudonymous subject (operator and auditor views only). */
  subjectId?: string;
}

export interface RightsRequestStep {
  seq: number;
  action: 'file' | 'acknowledge' | 'start' | 'extend' | 'complete' | 'refuse';
  from: RequestState | null;
  to: RequestState;
  at: string;
  dueAt: string;
  reason: string | null;
  actor: 'citizen' | 'operator';
  ledgerTransactionId: string | null;
}

export type OperatorAction = 'acknowledge' | 'start' | 'extend' | 'complete' | 'refuse';

/** The steps the operator may take from each state (the API's lifecycle decides; this only keeps impossible buttons away). */
export const ACTIONS_FROM: Record<RequestState, readonly OperatorAction[]> = {
  RECEIVED: ['acknowledge', 'refuse'],
  ACKNOWLEDGED: ['start', 'extend', 'refuse'],
  IN_PROGRESS: ['complete', 'extend', 'refuse'],
  EXTENDED: ['complete', 'refuse'],
  COMPLETED: [],
  REFUSED: [],
};

export const isOpen = (r: RightsRequest): boolean => r.state !== 'COMPLETED' && r.state !== 'REFUSED';
