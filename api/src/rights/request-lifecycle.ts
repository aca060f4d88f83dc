/**
 * A data-subject request as a state machine (PDPL 2025, Decree 356/2025):
 *
 *   RECEIVED → ACKNOWLEDGED → IN_PROGRESS → COMPLETED
 *        ↘            ↘  ↘ EXTENDED (once) ↗
 *          REFUSED (from any open state, with a reason the citizen can read)
 *
 * Pure: the time of each step and the working-day calendar are passed in. Every guard that says no
 * says why, with a stable code, so the operator and the citizen see the rule that applied.
 */

export const REQUEST_KINDS = ['EXPORT', 'RECTIFY', 'ERASE', 'RESTRICT', 'OBJECT', 'WITHDRAW_ALL'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATES = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED', 'COMPLETED', 'REFUSED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const OPEN_STATES: readonly RequestState[] = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED'];

/** Why a request may be refused (PDPL: defence, security, public order, another law, others' rights), in words for the citizen. */
export const REFUSAL_REASONS = {
  LEGAL_OBLIGATION: { en: 'Another law requires the data to be kept or processed.', vi: 'Luật khác yêu cầu dữ liệu phải được lưu giữ hoặc xử lý.' },
  NATIONAL_DEFENCE_OR_SECURITY: {
    en: 'Granting the request would harm national defence, national security or public order.',
    vi: 'Việc thực hiện yêu cầu gây phương hại đến quốc phòng, an ninh quốc gia hoặc trật tự an toàn xã hội.',
  },
  RIGHTS_OF_OTHERS: {
    en: 'Granting the request would harm the life, health or rights of another person.',
    vi: 'Việc thực hiện yêu cầu gây ảnh hưởng đến tính mạng, sức khỏe hoặc quyền của người khác.',
  },
  IDENTITY_NOT_VERIFIED: {
    en: 'We could not verify that the request comes from the person the data is about.',
    vi: 'Không xác minh được yêu cầu do chính chủ thể dữ liệu gửi.',
  },
  DUPLICATE_REQUEST: { en: 'The same request has already been handled.', vi: 'Yêu cầu tương tự đã được xử lý.' },
  MANIFESTLY_UNFOUNDED: { en: 'The request has no basis in the data we hold.', vi: 'Yêu cầu không có cơ sở trong dữ liệu đang được lưu giữ.' },
} as const;
export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** Why the one extension Decree 356 allows was taken. */
export const EXTENSION_REASONS = {
  PROCESSOR_MUST_ACT: { en: 'A processor or third party must act on the request.', vi: 'Bên xử lý hoặc bên thứ ba phải thực hiện yêu cầu.' },
  COMPLEX_REQUEST: { en: 'The request is complex.', vi: 'Yêu cầu phức tạp.' },
  MANY_REQUESTS: { en: 'Many requests arrived at once.', vi: 'Số lượng yêu cầu lớn.' },
} as const;
export type ExtensionReason = keyof typeof EXTENSION_REASONS;

/** Decree 356: reply within 2 working days; complete within 15 days, 20 when a processor or third party must act; one extension of at most 15 days. */
export const REPLY_WORKING_DAYS = 2;
export const COMPLETION_DAYS = { alone: 15, withProcessor: 20 } as const;
export const MAX_EXTENSION_DAYS = 15;

/** The calendar the deadlines are counted on (VietnamWorkingCalendar). */
export interface DeadlineCalendar {
  addWorkingDays(from: Date, n: number): Date;
  calendarDeadline(from: Date, days: number): Date;
}

export interface RightsRequest {
  id: string;
  /** The vault's pseudonymous subject id: never the national id. */
  subjectId: string;
  kind: RequestKind;
  /** Field paths the request is about (RECTIFY, ERASE, RESTRICT, OBJECT); empty for all. */
  fields: string[];
  state: RequestState;
  processorMustAct: boolean;
  receivedAt: Date;
  replyDueAt: Date;
  /** When the request must be completed (moved by an extension). */
  dueAt: Date;
  acknowledgedAt: Date | null;
  startedAt: Date | null;
  closedAt: Date | null;
  extension: { at: Date; days: number; reason: ExtensionReason; previousDueAt: Date } | null;
  refusalReason: RefusalReason | null;
  /** How many transitions it has been through (filing is the first): the next one's sequence number is this plus one. */
  version: number;
}

export type RequestAction =
  | { type: 'acknowledge'; processorMustAct?: boolean }
  | { type: 'start' }
  | { type: 'extend'; days: number; reason: ExtensionReason }
  | { type: 'complete' }
  | { type: 'refuse'; reason: RefusalReason };
export type ActionType = RequestAction['type'] | 'file';

/** One step of a request's history: what happened, and the deadline it left. */
export interface Transition {
  requestId: string;
  seq: number;
  action: ActionType;
  from: RequestState | null;
  to: RequestState;
  at: Date;
  dueAt: Date;
  /** The refusal or extension reason code, when there is one. */
  reason: RefusalReason | ExtensionReason | null;
}

export type Refusal = { code: 'illegal_transition' | 'extension_already_used' | 'deadline_passed' | 'invalid_request'; detail: string };
export type Decision = { ok: true; request: RightsRequest; transition: Transition } | ({ ok: false } & Refusal);

const ALLOWED_FROM: Record<RequestAction['type'], readonly RequestState[]> = {
  acknowledge: ['RECEIVED'],
  start: ['ACKNOWLEDGED'],
  extend: ['ACKNOWLEDGED', 'IN_PROGRESS'],
  complete: ['IN_PROGRESS', 'EXTENDED'],
  refuse: OPEN_STATES,
};
const TARGET: Record<RequestAction['type'], RequestState> = {
  acknowledge: 'ACKNOWLEDGED',
  start: 'IN_PROGRESS',
  extend: 'EXTENDED',
  complete: 'COMPLETED',
  refuse: 'REFUSED',
};

/** A new request, as received at `at`, with its deadlines. */
export function fileRequest(
  input: { id: string; subjectId: string; kind: RequestKind; fields?: string[]; processorMustAct?: boolean },
  at: Date,
  calendar: DeadlineCalendar,
): { request: RightsRequest; transition: Transition } {
  const processorMustAct = input.processorMustAct ?? false;
  const request: RightsRequest = {
    id: input.id,
    subjectId: input.subjectId,
    kind: input.kind,
    fields: [...(input.fields ?? [])].sort(),
    state: 'RECEIVED',
    processorMustAct,
    receivedAt: at,
    replyDueAt: calendar.addWorkingDays(at, REPLY_WORKING_DAYS),
    dueAt: completionDue(at, processorMustAct, calendar),
    acknowledgedAt: null,
    startedAt: null,
    closedAt: null,
    extension: null,
    refusalReason: null,
    version: 1,
  };
  return { request, transition: { requestId: request.id, seq: 1, action: 'file', from: null, to: 'RECEIVED', at, dueAt: request.dueAt, reason: null } };
}

function completionDue(receivedAt: Date, processorMustAct: boolean, calendar: DeadlineCalendar): Date {
  return calendar.calendarDeadline(receivedAt, processorMustAct ? COMPLETION_DAYS.withProcessor : COMPLETION_DAYS.alone);
}

/** Whether `action` may be taken on `request` at `at`, and if so the request after it and the transition to record. */
export function decide(request: RightsRequest, action: RequestAction, at: Date, calendar: DeadlineCalendar): Decision {
  if (!ALLOWED_FROM[action.type].includes(request.state)) {
    if (action.type === 'extend' && request.extension)
      return refuse('extension_already_used', `the one extension the law allows was taken on ${request.extension.at.toISOString()}`);
    return refuse(
      'illegal_transition',
      `a request that is ${request.state} cannot be ${PAST[action.type]}; it can be ${ALLOWED_FROM[action.type].join(' or ')} only`,
    );
  }
  const next: RightsRequest = { ...request, state: TARGET[action.type], version: request.version + 1 };
  let reason: Transition['reason'] = null;
  switch (action.type) {
    case 'acknowledge':
      next.acknowledgedAt = at;
      if (action.processorMustAct && !request.processorMustAct) {
        next.processorMustAct = true;
        next.dueAt = completionDue(request.receivedAt, true, calendar);
      }
      break;
    case 'start':
      next.startedAt = at;
      break;
    case 'extend': {
      if (request.extension) return refuse('extension_already_used', `the one extension the law allows was taken on ${request.extension.at.toISOString()}`);
      if (!Number.isInteger(action.days) || action.days < 1 || action.days > MAX_EXTENSION_DAYS)
        return refuse('invalid_request', `an extension is 1 to ${MAX_EXTENSION_DAYS} days, not ${action.days}`);
      if (at > request.dueAt) return refuse('deadline_passed', `the deadline ran out at ${request.dueAt.toISOString()}; an extension must be taken before it`);
      next.extension = { at, days: action.days, reason: action.reason, previousDueAt: request.dueAt };
      next.dueAt = calendar.calendarDeadline(request.dueAt, action.days);
      reason = action.reason;
      break;
    }
    case 'complete':
      next.closedAt = at;
      break;
    case 'refuse':
      next.closedAt = at;
      next.refusalReason = action.reason;
      reason = action.reason;
      break;
  }
  return {
    ok: true,
    request: next,
    transition: { requestId: request.id, seq: next.version, action: action.type, from: request.state, to: next.state, at, dueAt: next.dueAt, reason },
  };
}

const PAST: Record<RequestAction['type'], string> = {
  acknowledge: 'acknowledged',
  start: 'started',
  extend: 'extended',
  complete: 'completed',
  refuse: 'refused',
};

function refuse(code: Refusal['code'], detail: string): Decision {
  return { ok: false, code, detail };
}

/** Where a request stands against its clock at `now`. */
export interface RequestClock {
  /** REPLY until acknowledged, then COMPLETION; CLOSED once completed or refused. */
  phase: 'REPLY' | 'COMPLETION' | 'CLOSED';
  /** The deadline of the current phase (the completion deadline once closed). */
  dueAt: Date;
  /** ON_TIME; DUE_SOON within a day of the deadline; OVERDUE past it; LATE when closed after it. */
  status: 'ON_TIME' | 'DUE_SOON' | 'OVERDUE' | 'LATE';
  /** Whether the 2-working-day reply came after its deadline (or has not come and is past it). */
  replyLate: boolean;
}

const DUE_SOON_MS = 24 * 3_600_000;

export function clockOf(request: RightsRequest, now: Date): RequestClock {
  const replyLate = (request.acknowledgedAt ?? (request.state === 'REFUSED' ? request.closedAt : null) ?? now) > request.replyDueAt;
  if (request.closedAt) {
    return { phase: 'CLOSED', dueAt: request.dueAt, status: request.state === 'COMPLETED' && request.closedAt > request.dueAt ? 'LATE' : 'ON_TIME', replyLate };
  }
  const phase = request.state === 'RECEIVED' ? 'REPLY' : 'COMPLETION';
  const dueAt = phase === 'REPLY' ? request.replyDueAt : request.dueAt;
  const left = dueAt.getTime() - now.getTime();
  return { phase, dueAt, status: left < 0 ? 'OVERDUE' : left <= DUE_SOON_MS ? 'DUE_SOON' : 'ON_TIME', replyLate };
}
