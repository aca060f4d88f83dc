import { z } from 'zod';
import { Id, Sha256Hex, Timestamp } from './schemas.js';

/**
 * One version of a personal-data breach (PDPL 2025, Decree 356/2025: notify the authority within
 * 72 hours of detection), as the ledger keeps it: which breach, which version, what changed, when it
 * was detected and when notice is due, and the SHA-256 of the API's canonical record. Ids, codes,
 * counts, times and hashes only: the ledger learns no citizen, no field value and no free text, yet
 * the detection time and the clock cannot be moved afterwards without it showing.
 */
export const BREACH_ACTIONS = ['record', 'update', 'close'] as const;
export const BREACH_STATES = ['OPEN', 'CLOSED'] as const;

export const BreachRecordInput = z
  .object({
    breachId: Id,
    version: z.number().int().min(1).max(1000),
    action: z.enum(BREACH_ACTIONS),
    state: z.enum(BREACH_STATES),
    /** When the API took the step; the ledger adds its own transaction time. */
    at: Timestamp,
    detectedAt: Timestamp,
    notifyDueAt: Timestamp,
    authorityNotifiedAt: Timestamp.optional(),
    affectedSubjects: z.number().int().min(0),
    /** SHA-256 of the canonical breach record (the authority's form without names), lowercase hex. */
    recordHash: Sha256Hex,
    /** SHA-256 of the sorted pseudonymous subject ids affected, one per line. */
    affectedHash: Sha256Hex,
  })
  .strict()
  .refine((r) => (r.version === 1) === (r.action === 'record'), {
    message: 'the first version of a breach is its recording, and only the first',
    path: ['version'],
  })
  .refine((r) => (r.state === 'CLOSED') === (r.action === 'close'), { message: 'a breach is CLOSED by its closing step only', path: ['state'] });

export type BreachRecordValue = z.infer<typeof BreachRecordInput>;

/** The record as stored: the version plus when and by which transaction the ledger took it. */
export interface BreachRecord extends BreachRecordValue {
  recordedAt: string;
  txId: string;
}
