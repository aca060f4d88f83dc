/** The breach register's answers (api/src/breaches), as the portal reads them. */
export type BreachClockStatus = 'ON_TIME' | 'DUE_SOON' | 'OVERDUE' | 'NOTIFIED' | 'NOTIFIED_LATE';

export interface Breach {
  id: string;
  state: 'OPEN' | 'CLOSED';
  summary: string;
  detectedAt: string;
  notifyDueAt: string;
  dataCategories: string[];
  consumerOrgIds: string[];
  fields: string[];
  window: { from: string; to: string };
  measures: string;
  lateReason: string;
  authorityNotifiedAt: string | null;
  closedAt: string | null;
  affectedSubjects: number;
  affectedReads: number;
  version: number;
  clock: { dueAt: string; status: BreachClockStatus; minutesLeft: number | null };
}

export interface BreachDetail extends Breach {
  consumers: { id: string; name: string; affectedSubjects: number }[];
  versions: { version: number; action: 'record' | 'update' | 'close'; recordHash: string; ledgerTransactionId: string | null }[];
}

export interface BreachNotice {
  breachId: string;
  state: 'OPEN' | 'CLOSED';
  summary: string;
  detectedAt: string;
  notifiedAt: string;
  fields: string[];
  consumers: { id: string; name: string }[];
  reads: number;
  firstReadAt: string;
  lastReadAt: string;
  measures: string;
  contact: string;
  closedAt: string | null;
}
