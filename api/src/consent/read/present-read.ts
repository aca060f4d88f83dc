import type { FieldProvenance } from '../../vault/index.js';
import type { ConsentedRead } from './consented-read.js';

/** The body of a consented read, as the API sends it (JSON, or signed and encrypted as a JWE). */
export interface ReadBody {
  consentId: string;
  subjectId: string;
  purpose: string;
  fields: Record<string, unknown>;
  provenance: FieldProvenance[];
}

/**
 * Step 6, present: only the fields asked for and granted, with the consent, the citizen's
 * pseudonymous subject id, the purpose, and the record versions the values came from (their
 * commitments are anchored on the ledger). The key order is the wire's.
 */
export function presentRead(read: ConsentedRead): ReadBody {
  return { consentId: read.consent.id, subjectId: read.consent.subject_id, purpose: read.consent.purpose, fields: read.fields, provenance: read.provenance };
}
