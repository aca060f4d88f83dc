import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api/client';
import { errorMessageKey } from '../api/error-messages';
import { useFieldLabel } from '../components/field-name';
import { Loading } from '../components/notices';
import { useI18n, type MessageKey } from '../i18n/i18n';
import { dayInWords, deadlineInWords, momentInWords } from './deadline-words';
import type { RequestState, RightsRequest, RightsRequestStep } from './types';

const STATE_CLASS: Record<RequestState, string> = {
  RECEIVED: 'status-requested',
  ACKNOWLEDGED: 'status-requested',
  IN_PROGRESS: 'status-requested',
  EXTENDED: 'status-paused',
  COMPLETED: 'status-active',
  REFUSED: 'status-refused',
};

export function StateBadge({ state }: { state: RequestState }) {
  const { t } = useI18n();
  return <span class={`badge ${STATE_CLASS[state]}`}>{t(`rights.state.${state}` as const)}</span>;
}

/** Overdue, due within a day, replied late: the clock's warnings as badges (nothing when on time). */
export function ClockBadges({ request }: { request: RightsRequest }) {
  const { t } = useI18n();
  const { status, replyLate } = request.clock;
  return (
    <>
      {status === 'OVERDUE' && <span class="badge status-refused">{t('rights.clock.OVERDUE')}</span>}
      {status === 'DUE_SOON' && <span class="badge status-paused">{t('rights.clock.DUE_SOON')}</span>}
      {status === 'LATE' && <span class="badge status-refused">{t('rights.clock.LATE')}</span>}
      {replyLate && <span class="badge status-paused">{t('rights.clock.replyLate')}</span>}
    </>
  );
}

/** The request's deadlines in words: the reply and the completion while open; how it ended once closed. */
export function DeadlineFacts({ request, now }: { request: RightsRequest; now: Date }) {
  const i18n = useI18n();
  const { t, locale, label } = i18n;
  const day = (iso: string): string => dayInWords(locale, iso, now);
  return (
    <dl class="facts">
      <div>
        <dt>{t('rights.receivedOn')}</dt>
        <dd>{day(request.receivedAt)}</dd>
      </div>
      {request.state === 'RECEIVED' && (
        <div>
          <dt>{t('rights.replyDue')}</dt>
          <dd>{deadlineInWords(i18n, request.replyDueAt, now)}</dd>
        </div>
      )}
      {request.closedAt === null ? (
        <div>
          <dt>{t('rights.completionDue')}</dt>
          <dd>{deadlineInWords(i18n, request.dueAt, now)}</dd>
        </div>
      ) : (
        <div>
          <dt>{request.state === 'REFUSED' ? t('rights.refusedOn') : t('rights.completedOn')}</dt>
          <dd>
            {day(request.closedAt)}
            {request.clock.status === 'LATE' && ` · ${t('rights.afterDeadline', { day: day(request.dueAt) })}`}
          </dd>
        </div>
      )}
      {request.extension && (
        <div>
          <dt>{t('rights.extension')}</dt>
          <dd>
            {t('rights.extendedOnce', {
              days: request.extension.days,
              on: day(request.extension.at),
              from: day(request.extension.previousDueAt),
              to: day(request.dueAt),
            })}{' '}
            {t('rights.extensionReason', { reason: label(request.extension.explanation, request.extension.reason) })}
          </dd>
        </div>
      )}
      {request.refusal && (
        <div>
          <dt>{t('rights.refusalReason')}</dt>
          <dd>{label(request.refusal.explanation, request.refusal.reason)}</dd>
        </div>
      )}
    </dl>
  );
}

export function FieldChips({ fields }: { fields: string[] }) {
  const { t } = useI18n();
  const fieldLabel = useFieldLabel();
  if (fields.length === 0) return <p class="muted">{t('rights.allData')}</p>;
  return (
    <ul class="chips" aria-label={t('rights.fieldsConcerned')}>
      {fields.map((f) => (
        <li key={f}>{fieldLabel(f)}</li>
      ))}
    </ul>
  );
}

/** Every step of a request, loaded when the person opens it, with whether the ledger holds each one. */
export function StepHistory({ path }: { path: string }) {
  const { t, locale, optional } = useI18n();
  const [steps, setSteps] = useState<RightsRequestStep[] | undefined>();
  const [error, setError] = useState<unknown>();
  const load = (open: boolean): void => {
    if (!open || steps) return;
    call<{ history: RightsRequestStep[] }>(path).then(
      (r) => setSteps(r.history),
      (err: unknown) => setError(err),
    );
  };
  return (
    <details onToggle={(e) => load(e.currentTarget.open)}>
      <summary>{t('rights.steps')}</summary>
      {error !== undefined && <RightsError error={error} />}
      {!steps && error === undefined && <Loading />}
      {steps && (
        <ol class="steps">
          {steps.map((s) => (
            <li key={s.seq}>
              <time dateTime={s.at}>{momentInWords(locale, s.at)}</time> · {t(`rights.step.${s.action}` as const)}
              {s.reason && ` · ${optional(`rights.reason.${s.reason}`) ?? s.reason}`}
              <span class="muted"> · {s.ledgerTransactionId ? t('rights.onLedger') : t('rights.ledgerPending')}</span>
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}

/** Codes whose general sentence speaks of consents; on these pages they get sentences about requests. */
const RIGHTS_MESSAGES: Partial<Record<string, MessageKey>> = {
  illegal_transition: 'rights.error.illegal_transition',
  conflict: 'rights.error.conflict',
};

export function RightsError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const key = (error instanceof ApiProblem && RIGHTS_MESSAGES[error.code]) || errorMessageKey(error);
  return (
    <div class="notice notice-error" role="alert">
      {t(key)}
    </div>
  );
}
