import { z } from 'zod';
import { Id, Sha256Hex, Timestamp } from './schemas.js';

/**
 * The operator's controls over a subject that the law asks to be evidenced (PDPL 2025): a legal
 * hold placed or lifted, a restriction (restriction or objection) placed or lifted, and the
 * certificate of an erasure. Only ids, codes, times and digests: a free-text reason stays in the
 * vault's database and is bound here by its SHA-256, so the ledger learns nothing about the citizen.
 */
export const SUBJECT_CONTROL_TYPES = ['LEGAL_HOLD_PLACED', 'LEGAL_HOLD_LIFTED', 'RESTRICTION_PLACED', 'RESTRICTION_LIFTED', 'ERASURE_CERTIFIED'] as const;

export const SubjectControlInput = z
  .object({
    /** The event's id: recording it again with the same content answers the stored record. */
    id: Id,
    type: z.enum(SUBJECT_CONTROL_TYPES),
    subjectId: Id,
    /** The data-subject request it carries out, when there is one. */
    requestId: Id.optional(),
    /** The legal hold it places or lifts. */
    holdId: Id.optional(),
    at: Timestamp,
    /** SHA-256 of the reason as recorded off the ledger (a hold's or a lift's). */
    reasonHash: Sha256Hex.optional(),
    /** SHA-256 of the erasure certificate's canonical JSON. */
    certificateHash: Sha256Hex.optional(),
  })
  .strict()
  .refine((e) => (e.type === 'ERASURE_CERTIFIED') === (e.certificateHash !== undefined), {
    message: 'an erasure certificate, and only it, carries certificateHash',
    path: ['certificateHash'],
  })
  .refine((e) => !e.type.startsWith('LEGAL_HOLD') || e.holdId !== undefined, { message: 'a legal hold event names its hold', path: ['holdId'] });

export type SubjectControlValue = z.infer<typeof SubjectControlInput>;

export interface SubjectControlRecord extends SubjectControlValue {
  recordedAt: string;
  txId: string;
}
