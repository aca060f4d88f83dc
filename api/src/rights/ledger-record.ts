import type { RightsRequest, Transition } from './request-lifecycle.js';

/**
 * The ledger's record of one transition (chaincode `rights.RecordRightsRequest`): the request,
 * its kind, the pseudonymous subject, the step, its times and deadlines. No national id, no name,
 * no free text: only ids, codes and times.
 */
export interface RightsLedgerRecord {
  requestId: string;
  seq: number;
  kind: RightsRequest['kind'];
  subjectId: string;
  action: Transition['action'];
  state: Transition['to'];
  at: string;
  receivedAt: string;
  replyDueAt: string;
  dueAt: string;
  reason?: string;
}

export function ledgerRecordOf(request: RightsRequest, transition: Transition): RightsLedgerRecord {
  return {
    requestId: request.id,
    seq: transition.seq,
    kind: request.kind,
    subjectId: request.subjectId,
    action: transition.action,
    state: transition.to,
    at: transition.at.toISOString(),
    receivedAt: request.receivedAt.toISOString(),
    replyDueAt: request.replyDueAt.toISOString(),
    dueAt: transition.dueAt.toISOString(),
    ...(transition.reason ? { reason: transition.reason } : {}),
  };
}
