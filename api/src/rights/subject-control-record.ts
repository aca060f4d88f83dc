import { createHash } from 'node:crypto';

/**
 * The ledger's record of a control over a subject (chaincode `rights.RecordSubjectControl`): a legal
 * hold or a restriction placed or lifted, an erasure certified. Ids, codes, times and digests only:
 * a reason's words stay in Postgres and reach the ledger as their SHA-256.
 */
export interface SubjectControlRecord {
  id: string;
  type: 'LEGAL_HOLD_PLACED' | 'LEGAL_HOLD_LIFTED' | 'RESTRICTION_PLACED' | 'RESTRICTION_LIFTED' | 'ERASURE_CERTIFIED';
  subjectId: string;
  requestId?: string;
  holdId?: string;
  at: string;
  reasonHash?: string;
  certificateHash?: string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
