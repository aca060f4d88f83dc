import { z } from 'zod';
import { Id, Timestamp } from './schemas.js';

/**
 * One step of a data-subject request (PDPL 2025, Decree 356/2025), as the ledger keeps it: which
 * request, which kind, which pseudonymous subject, what happened, when, and the deadline it left.
 * Codes and times only, never personal data, so the clock the law sets is tamper-evident without
 * the ledger learning anything about the citizen.
 */
export const RIGHTS_REQUEST_KINDS = ['EXPORT', 'RECTIFY', 'ERASE', 'RESTRICT', 'OBJECT', 'WITHDRAW_ALL'] as const;
export const RIGHTS_REQUEST_STATES = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED', 'COMPLETED', 'REFUSED'] as const;
export const RIGHTS_REQUEST_ACTIONS = ['file', 'acknowledge', 'start', 'extend', 'complete', 'refuse'] as const;

export const RightsRequestRecordInput = z
  .object({
    requestId: Id,
    seq: z.number().int().min(1).max(100),
    kind: z.enum(RIGHTS_REQUEST_KINDS),
    subjectId: Id,
    action: z.enum(RIGHTS_REQUEST_ACTIONS),
    state: z.enum(RIGHTS_REQUEST_STATES),
    /** When the API took the step; the ledger adds its own transaction time. */
    at: Timestamp,
    receivedAt: Timestamp,
    replyDueAt: Timestamp,
    dueAt: Timestamp,
    /** A refusal or extension reason code. */
    reason: z
      .string()
      .regex(/^[A-Z][A-Z_]{2,40}$/, 'must be a reason code such as LEGAL_OBLIGATION')
      .optional(),
  })
  .strict()
  .refine((r) => (r.seq === 1) === (r.action === 'file'), { message: 'the first step of a request is its filing, and only the first', path: ['seq'] });

export type RightsRequestRecordValue = z.infer<typeof RightsRequestRecordInput>;

/** The record as stored: the step plus when and by which transaction the ledger took it. */
export interface RightsRequestRecord extends RightsRequestRecordValue {
  recordedAt: string;
  txId: string;
}
