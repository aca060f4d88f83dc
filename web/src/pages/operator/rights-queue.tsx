import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { Empty, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { deadlineInWords } from '../../rights/deadline-words';
import { ClockBadges, DeadlineFacts, FieldChips, RightsError, StateBadge, StepHistory } from '../../rights/request-view';
import {
  ACTIONS_FROM,
  EXTENSION_REASONS,
  MAX_EXTENSION_DAYS,
  REFUSAL_REASONS,
  type ExtensionReason,
  type OperatorAction,
  type RefusalReason,
  type RightsRequest,
} from '../../rights/types';

/** The operator's queue of open data-subject requests, the most urgent first, with the steps each may take next. */
export function RightsQueuePage() {
  const { t } = useI18n();
  const queue = useLoad(() => call<{ items: RightsRequest[] }>('/v1/rights-requests'));
  const [done, setDone] = useState('');
  const now = new Date();
  if (isMissingFeature(queue.error)) {
    return (
      <Page title={t('rightsQueue.title')}>
        <p class="notice notice-info">{t('rights.unavailable')}</p>
      </Page>
    );
  }
  const items = queue.data?.items ?? [];
  const overdue = items.filter((r) => r.clock.status === 'OVERDUE').length;
  return (
    <Page title={t('rightsQueue.title')} intro={t('rightsQueue.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <RightsError error={queue.error} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data && items.length === 0 && <Empty>{t('rightsQueue.none')}</Empty>}
      {queue.data && items.length > 0 && <p>{t('rightsQueue.summary', { open: items.length, overdue })}</p>}
      <div class="stack">
        {items.map((r) => (
          <QueueCard
            key={r.id}
            request={r}
            now={now}
            onDone={(message) => {
              setDone(message);
              queue.reload();
            }}
          />
        ))}
      </div>
    </Page>
  );
}

function QueueCard({ request, now, onDone }: { request: RightsRequest; now: Date; onDone(message: string): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const action = useAction();
  const [processorMustAct, setProcessorMustAct] = useState(request.processorMustAct);
  const [extendReason, setExtendReason] = useState<ExtensionReason>('COMPLEX_REQUEST');
  const [extendDays, setExtendDays] = useState(MAX_EXTENSION_DAYS);
  const [refuseReason, setRefuseReason] = useState<RefusalReason>('IDENTITY_NOT_VERIFIED');
  const [daysInvalid, setDaysInvalid] = useState(false);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const allowed = ACTIONS_FROM[request.state];
  const id = request.id;
  const kind = t(`rights.kind.${request.kind}` as const);
  const headingId = `q-${id}`;

  const take = (step: OperatorAction, body: Record<string, unknown> = {}): void =>
    void action.run(async () => {
      await call(`/v1/rights-requests/${id}/${step}`, { body });
      onDone(t(`rightsQueue.done.${step}` as const, { kind, ref: id.slice(-8) }));
    });
  const extend = (): void => {
    if (!Number.isInteger(extendDays) || extendDays < 1 || extendDays > MAX_EXTENSION_DAYS) return setDaysInvalid(true);
    setDaysInvalid(false);
    take('extend', { days: extendDays, reason: extendReason });
  };
  const refuse = (): void =>
    setConfirm({
      title: t('rightsQueue.refuseTitle'),
      body: t('rightsQueue.refuseBody', { kind, reason: t(`rights.reason.${refuseReason}` as const) }),
      confirmLabel: t('rightsQueue.refuse'),
      danger: true,
      onConfirm: () => take('refuse', { reason: refuseReason }),
    });

  return (
    <article class="card" aria-labelledby={headingId}>
      <div class="card-head">
        <h2 id={headingId}>
          {kind} <span class="muted mono">{id.slice(-8)}</span>
        </h2>
        <span>
          <StateBadge state={request.state} /> <ClockBadges request={request} />
        </span>
      </div>
      <p class="lead">
        {t(request.clock.phase === 'REPLY' ? 'rightsQueue.clock.REPLY' : 'rightsQueue.clock.COMPLETION', {
          words: deadlineInWords(i18n, request.clock.dueAt, now),
        })}
      </p>
      <p class="muted">{t('rightsQueue.subject', { subject: request.subjectId ?? '—' })}</p>
      <FieldChips fields={request.fields} />
      <DeadlineFacts request={request} now={now} />
      <StepHistory path={`/v1/rights-requests/${id}`} />
      <RightsError error={action.error} />
      {allowed.includes('acknowledge') && (
        <div class="actions">
          <label class="field-row" for={`ack-p-${id}`}>
            <input type="checkbox" id={`ack-p-${id}`} checked={processorMustAct} onChange={(e) => setProcessorMustAct(e.currentTarget.checked)} />
            {t('rightsQueue.processorMustAct')}
          </label>
          <button type="button" class="button primary" disabled={action.busy} onClick={() => take('acknowledge', processorMustAct ? { processorMustAct } : {})}>
            {t('rightsQueue.acknowledge')}
          </button>
        </div>
      )}
      {(allowed.includes('start') || allowed.includes('complete')) && (
        <div class="actions">
          {allowed.includes('start') && (
            <button type="button" class="button primary" disabled={action.busy} onClick={() => take('start')}>
              {t('rightsQueue.start')}
            </button>
          )}
          {allowed.includes('complete') && (
            <button type="button" class="button primary" disabled={action.busy} onClick={() => take('complete')}>
              {t('rightsQueue.complete')}
            </button>
          )}
        </div>
      )}
      {allowed.includes('extend') && (
        <fieldset>
          <legend>{t('rightsQueue.extendLegend')}</legend>
          <div class="row">
            <div class="field">
              <label for={`ext-r-${id}`}>{t('rightsQueue.extendReason')}</label>
              <select id={`ext-r-${id}`} value={extendReason} onChange={(e) => setExtendReason(e.currentTarget.value as ExtensionReason)}>
                {EXTENSION_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`rights.reason.${r}` as const)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`ext-d-${id}`}>{t('rightsQueue.extendDays', { max: MAX_EXTENSION_DAYS })}</label>
              <input
                id={`ext-d-${id}`}
                type="number"
                min={1}
                max={MAX_EXTENSION_DAYS}
                value={extendDays}
                aria-invalid={daysInvalid}
                aria-describedby={daysInvalid ? `ext-e-${id}` : undefined}
                onInput={(e) => setExtendDays(Number(e.currentTarget.value))}
              />
            </div>
          </div>
          {daysInvalid && (
            <p id={`ext-e-${id}`} class="notice notice-error" role="alert">
              {t('rightsQueue.extendDaysInvalid', { max: MAX_EXTENSION_DAYS })}
            </p>
          )}
          <div class="actions">
            <button type="button" class="button secondary" disabled={action.busy} onClick={extend}>
              {t('rightsQueue.extend')}
            </button>
          </div>
        </fieldset>
      )}
      {allowed.includes('refuse') && (
        <fieldset>
          <legend>{t('rightsQueue.refuseLegend')}</legend>
          <div class="field">
            <label for={`ref-r-${id}`}>{t('rightsQueue.refuseReason')}</label>
            <select id={`ref-r-${id}`} value={refuseReason} onChange={(e) => setRefuseReason(e.currentTarget.value as RefusalReason)}>
              {REFUSAL_REASONS.map((r) => (
                <option key={r} value={r}>
                  {t(`rights.reason.${r}` as const)}
                </option>
              ))}
            </select>
          </div>
          <div class="actions">
            <button type="button" class="button danger" disabled={action.busy} onClick={refuse}>
              {t('rightsQueue.refuse')}
            </button>
          </div>
        </fieldset>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </article>
  );
}
