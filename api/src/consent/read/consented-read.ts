import type { AccessEvent } from '../../audit/index.js';
import type { FieldProvenance } from '../../vault/index.js';
import type { ConsentRow } from '../consent-store.js';

/** A consumer's read under a consent, as it enters the pipeline: who asks, which consent, which fields (all granted ones if none), when. */
export interface ReadRequest {
  consumerOrgId: string;
  consentId: string;
  requested: string[] | undefined;
  at: Date;
}

/** The consent as loaded for a read: its read-model row with the granted reads already made in its current usage period. */
export type LoadedConsent = ConsentRow & {
  uses: number;
  /** Whether its subject is restricted (a RESTRICT or OBJECT request carried out): loaded with the consent, in the same query. */
  subject_restricted?: boolean;
  /** Whether a material notice change whose rule is pause stopped its reads until the citizen consents again: in the same query too. */
  reconsent_paused?: boolean;
};

/** What a granted read answers: the consent, the clear values of the fields, and the record versions they came from. */
export interface ConsentedRead {
  consent: ConsentRow;
  fields: Record<string, unknown>;
  provenance: FieldProvenance[];
}

/** The access event a read will be recorded as, before its outcome is known. */
export type PendingAccess = Omit<AccessEvent, 'outcome' | 'reason' | 'usagePeriod'>;
