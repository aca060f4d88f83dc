import type { RefusalReason, RequestAction, RequestState } from '../rights/index.js';
import type { RectificationTask } from './ports.js';

/** What a request comes to once its tasks are resolved. */
export type Outcome = { type: 'pending' } | { type: 'complete' } | { type: 'refuse'; reason: RefusalReason };

/**
 * A rectification request is settled when every task is resolved. A field counts as corrected when at
 * least one custodian holding it accepted (that custodian's new version is then the most recent
 * statement of the field, so it is the value served: see the vault's field-precedence.ts). The
 * request completes when every field it names was corrected; otherwise it is refused with the reason
 * the first custodian to reject an uncorrected field gave. The per-task outcomes stay readable by the
 * citizen either way, so a partly corrected request shows what was and was not changed.
 */
export function outcomeOf(fieldPaths: readonly string[], tasks: readonly RectificationTask[]): Outcome {
  if (tasks.length === 0 || tasks.some((t) => t.status === 'OPEN')) return { type: 'pending' };
  const pathsOf = (t: RectificationTask) => t.fields.map((name) => `${t.category}.${name}`);
  const corrected = new Set(tasks.filter((t) => t.status === 'ACCEPTED').flatMap(pathsOf));
  const uncorrected = new Set(fieldPaths.filter((f) => !corrected.has(f)));
  if (uncorrected.size === 0) return { type: 'complete' };
  const firstRefusal = tasks
    .filter((t) => t.status === 'REJECTED' && t.rejectReason && pathsOf(t).some((f) => uncorrected.has(f)))
    .sort((a, b) => a.resolvedAt!.getTime() - b.resolvedAt!.getTime() || (a.id < b.id ? -1 : 1))[0];
  return { type: 'refuse', reason: firstRefusal?.rejectReason ?? 'MANIFESTLY_UNFOUNDED' };
}

/** The next step that takes a request in `state` toward the outcome, or undefined once it is closed (or still pending). */
export function nextStep(state: RequestState, outcome: Outcome): RequestAction | undefined {
  if (outcome.type === 'pending' || state === 'COMPLETED' || state === 'REFUSED') return undefined;
  if (outcome.type === 'refuse') return { type: 'refuse', reason: outcome.reason };
  switch (state) {
    case 'RECEIVED':
      return { type: 'acknowledge' };
    case 'ACKNOWLEDGED':
      return { type: 'start' };
    default:
      return { type: 'complete' };
  }
}
