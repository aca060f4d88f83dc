import type { RecordVersionRow, SubjectRow } from '../../vault/index.js';
import type { LoadedConsent } from './consented-read.js';

/** The latest versions of a subject's records as a read opens them: sealed fields and where they came from. */
export type SealedVersion = Pick<RecordVersionRow, 'record_id' | 'category' | 'custodian_org_id' | 'version' | 'fields' | 'commitment' | 'created_at'>;

/** What a consented read needs before it decides, loaded together. */
export interface ReadSnapshot {
  /** The consent's read-model row with the granted reads already made in its current usage period, and whether its subject is restricted. */
  consent: LoadedConsent;
  /** The subject's sealed data key and its records' latest sealed versions, when the source loaded them too. */
  sealed?: { subject: SubjectRow | undefined; versions: SealedVersion[] };
}

/** Where a read's snapshot comes from: one round trip in Postgres, two calls on the twins. */
export interface ReadSource {
  load(consentId: string, periods: { day: string; month: string }): Promise<ReadSnapshot | undefined>;
}
