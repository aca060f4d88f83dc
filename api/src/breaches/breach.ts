import { createHash } from 'node:crypto';
import { canonicalJson, type BreachRecordValue } from '@citizen-vault/chaincode/rules';

/**
 * A personal-data breach as the register keeps it (PDPL 2025, Decree 356/2025). Pure rules: no I/O,
 * no clock of its own. The citizens affected are not here; the store computes them from the access
 * log, and a breach carries only how many there are.
 */

/** The authority must be notified within 72 hours of detection. */
export const NOTIFY_WITHIN_HOURS = 72;
/** Less than this left on the clock: the breach is due soon. */
export const DUE_SOON_HOURS = 24;
/** How far ahead of the server's clock a detection time may be (clock skew), and no further. */
const SKEW_MS = 5 * 60_000;

export const BREACH_STATES = ['OPEN', 'CLOSED'] as const;
export type BreachState = (typeof BREACH_STATES)[number];
export type BreachAction = 'record' | 'update' | 'close';

/** What was involved: reads by these consumers of these fields in [from, to). */
export interface BreachScope {
  dataCategories: string[];
  consumerOrgIds: string[];
  fields: string[];
  window: { from: Date; to: Date };
}

/** What the operator writes for the authority (Decree 13/2023 Art. 23 lists these; Decree 356 keeps them in its form). */
export interface BreachNarrative {
  summary: string;
  consequences: string;
  measures: string;
  contact: string;
  /** Why the authority was told after 72 hours, when it was. */
  lateReason: string;
}

export interface Breach extends BreachScope, BreachNarrative {
  id: string;
  detectedAt: Date;
  recordedAt: Date;
  notifyDueAt: Date;
  authorityNotifiedAt: Date | null;
  state: BreachState;
  closedAt: Date | null;
  affectedSubjects: number;
  affectedReads: number;
  version: number;
}

export type NewBreach = BreachScope & Partial<BreachNarrative> & { summary: string; detectedAt: Date };
export type BreachChanges = Partial<BreachScope & BreachNarrative & { authorityNotifiedAt: Date }>;
export type BreachClosing = { measures?: string; authorityNotifiedAt?: Date; lateReason?: string };

export type BreachClockStatus = 'ON_TIME' | 'DUE_SOON' | 'OVERDUE' | 'NOTIFIED' | 'NOTIFIED_LATE';

/** The 72-hour clock: running until the authority is notified, then stopped on time or late. */
export interface BreachClock {
  dueAt: Date;
  status: BreachClockStatus;
  /** Whole minutes left before the deadline (negative once past); null when the clock has stopped. */
  minutesLeft: number | null;
}

export function notifyDueAt(detectedAt: Date): Date {
  return new Date(detectedAt.getTime() + NOTIFY_WITHIN_HOURS * 3_600_000);
}

export function clockOf(b: Pick<Breach, 'notifyDueAt' | 'authorityNotifiedAt'>, now: Date): BreachClock {
  const dueAt = b.notifyDueAt;
  if (b.authorityNotifiedAt) return { dueAt, status: b.authorityNotifiedAt > dueAt ? 'NOTIFIED_LATE' : 'NOTIFIED', minutesLeft: null };
  const left = dueAt.getTime() - now.getTime();
  const status = left < 0 ? 'OVERDUE' : left < DUE_SOON_HOURS * 3_600_000 ? 'DUE_SOON' : 'ON_TIME';
  return { dueAt, status, minutesLeft: Math.floor(left / 60_000) };
}

export type Decision = { ok: true; breach: Breach } | { ok: false; code: 'invalid_request' | 'illegal_transition'; detail: string; path?: string };

const invalid = (detail: string, path: string): Decision => ({ ok: false, code: 'invalid_request', detail, path });

/** The category of a field path (`residence.province` → `residence`). */
const categoryOf = (field: string): string => field.slice(0, field.indexOf('.'));

function checkScope(scope: BreachScope, detectedAt: Date, now: Date): Decision | undefined {
  if (scope.window.to <= scope.window.from) return invalid('the window must end after it starts', '/window/to');
  if (scope.window.from > now) return invalid('the window must start in the past', '/window/from');
  const categories = new Set(scope.dataCategories);
  const outside = scope.fields.filter((f) => !categories.has(categoryOf(f)));
  if (outside.length > 0) return invalid(`fields ${outside.join(', ')} are not in the data categories given`, '/fields');
  if (detectedAt.getTime() > now.getTime() + SKEW_MS) return invalid('a breach cannot be detected in the future', '/detectedAt');
  return undefined;
}

function checkNotified(at: Date | null, b: Breach, now: Date): Decision | undefined {
  if (!at) return undefined;
  if (at < b.detectedAt) return invalid('the authority cannot be notified before the breach was detected', '/authorityNotifiedAt');
  if (at.getTime() > now.getTime() + SKEW_MS) return invalid('the authority cannot be notified in the future', '/authorityNotifiedAt');
  return undefined;
}

const NARRATIVE_DEFAULTS: BreachNarrative = { summary: '', consequences: '', measures: '', contact: '', lateReason: '' };

/** A new breach, its clock started at detection (not at recording: a breach recorded late is already late). */
export function recordBreach(id: string, input: NewBreach, now: Date): Decision {
  const problem = checkScope(input, input.detectedAt, now);
  if (problem) return problem;
  const breach: Breach = {
    ...NARRATIVE_DEFAULTS,
    ...input,
    id,
    recordedAt: now,
    notifyDueAt: notifyDueAt(input.detectedAt),
    authorityNotifiedAt: null,
    state: 'OPEN',
    closedAt: null,
    affectedSubjects: 0,
    affectedReads: 0,
    version: 1,
  };
  return { ok: true, breach };
}

/** An open breach with some of its scope or narrative changed; the detection time, and with it the clock, never change. */
export function updateBreach(b: Breach, changes: BreachChanges, now: Date): Decision {
  if (b.state === 'CLOSED') return { ok: false, code: 'illegal_transition', detail: `breach ${b.id} is closed; it can no longer change` };
  const next: Breach = { ...b, ...changes, authorityNotifiedAt: changes.authorityNotifiedAt ?? b.authorityNotifiedAt, version: b.version + 1 };
  return checkScope(next, next.detectedAt, now) ?? checkNotified(next.authorityNotifiedAt, b, now) ?? { ok: true, breach: next };
}

/**
 * Closing needs what the authority's form needs: when the authority was notified, and the measures
 * taken; a notification after the 72 hours needs its reason (Decree 13 Art. 23(3), kept by Decree 356).
 */
export function closeBreach(b: Breach, input: BreachClosing, now: Date): Decision {
  if (b.state === 'CLOSED') return { ok: false, code: 'illegal_transition', detail: `breach ${b.id} is already closed` };
  const next: Breach = {
    ...b,
    measures: input.measures ?? b.measures,
    lateReason: input.lateReason ?? b.lateReason,
    authorityNotifiedAt: input.authorityNotifiedAt ?? b.authorityNotifiedAt,
    state: 'CLOSED',
    closedAt: now,
    version: b.version + 1,
  };
  if (!next.authorityNotifiedAt) return invalid('a breach is closed once the authority has been notified: give authorityNotifiedAt', '/authorityNotifiedAt');
  if (next.measures.trim() === '') return invalid('a breach is closed with the measures taken', '/measures');
  if (next.authorityNotifiedAt > next.notifyDueAt && next.lateReason.trim() === '')
    return invalid('the authority was notified after 72 hours: give the reason (lateReason)', '/lateReason');
  return checkNotified(next.authorityNotifiedAt, b, now) ?? { ok: true, breach: next };
}

/**
 * The canonical record of a version: everything the authority's form states except organisation
 * names (which can change), as RFC 8785 JSON. Its SHA-256 is what the ledger keeps.
 */
export function canonicalRecord(b: Breach, affectedHash: string): string {
  return canonicalJson({
    v: 1,
    breachId: b.id,
    version: b.version,
    state: b.state,
    summary: b.summary,
    detectedAt: b.detectedAt.toISOString(),
    recordedAt: b.recordedAt.toISOString(),
    notifyDueAt: b.notifyDueAt.toISOString(),
    dataCategories: [...b.dataCategories].sort(),
    fields: [...b.fields].sort(),
    consumerOrgIds: [...b.consumerOrgIds].sort(),
    window: { from: b.window.from.toISOString(), to: b.window.to.toISOString() },
    consequences: b.consequences,
    measures: b.measures,
    contact: b.contact,
    lateReason: b.lateReason,
    authorityNotifiedAt: b.authorityNotifiedAt?.toISOString() ?? null,
    closedAt: b.closedAt?.toISOString() ?? null,
    affectedSubjects: b.affectedSubjects,
    affectedReads: b.affectedReads,
    affectedHash,
  });
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The ledger's record of a version (chaincode `breaches.RecordBreach`): hashes, times and counts. */
export function ledgerRecordOf(b: Breach, action: BreachAction, at: Date, affectedHash: string): BreachRecordValue {
  return {
    breachId: b.id,
    version: b.version,
    action,
    state: b.state,
    at: at.toISOString(),
    detectedAt: b.detectedAt.toISOString(),
    notifyDueAt: b.notifyDueAt.toISOString(),
    ...(b.authorityNotifiedAt ? { authorityNotifiedAt: b.authorityNotifiedAt.toISOString() } : {}),
    affectedSubjects: b.affectedSubjects,
    recordHash: sha256Hex(canonicalRecord(b, affectedHash)),
    affectedHash,
  };
}
