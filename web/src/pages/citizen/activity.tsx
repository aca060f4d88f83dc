import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { errorMessageKey, isMissingFeature } from '../../api/error-messages';
import type { AccessEvent } from '../../api/types';
import { verifyEntry, type EntryVerification } from '../../audit/verify-entry';
import { SensitiveMark, useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';

/** Who used my data: every read of it, newest first, refusals included. */
export function ActivityPage() {
  const { t } = useI18n();
  const cursors = useCursors();
  // A page at a time, so the whole history stays reachable however long it grows.
  const events = useLoad(
    () =>
      call<{ items: AccessEvent[]; nextCursor: string }>(
        `/v1/me/access-events?limit=50${cursors.cursor ? `&cursor=${encodeURIComponent(cursors.cursor)}` : ''}`,
      ),
    [cursors.cursor],
  );
  return (
    <Page title={t('activity.title')} intro={t('activity.intro')}>
      <ErrorNotice error={events.error} />
      {events.loading && !events.data && <Loading />}
      {events.data?.items.length === 0 && <Empty>{t('activity.none')}</Empty>}
      <ol class="timeline">
        {events.data?.items.map((e) => (
          <AccessEventItem key={e.id} event={e} />
        ))}
      </ol>
      <CursorPager cursors={cursors} nextCursor={events.data?.nextCursor} />
    </Page>
  );
}

function AccessEventItem({ event }: { event: AccessEvent }) {
  const { t, optional, dateTime } = useI18n();
  const fieldLabel = useFieldLabel();
  const purposeLabel = usePurposeLabel();
  const vocabulary = useVocabulary();
  const refused = event.outcome === 'DENIED';
  return (
    <li class={refused ? 'event refused' : 'event'}>
      <p class="event-when">
        <time dateTime={event.at}>{dateTime(event.at)}</time>
      </p>
      <div class="event-body">
        <p class="event-title">
          <strong>{event.consumer.name}</strong>{' '}
          {refused ? <span class="badge status-refused">{t('activity.refused')}</span> : <span class="badge status-read">{t('activity.read')}</span>}
        </p>
        {refused && <p class="event-reason">{optional(`reason.${event.reason ?? ''}`) ?? t('reason.other')}</p>}
        <p class="muted">
          {t('activity.purpose', { purpose: purposeLabel(event.purpose) })} · {t('activity.consent', { id: event.consentId.slice(-8) })}
        </p>
        <p class="small-heading">{refused ? t('activity.fieldsAttempted') : t('activity.fieldsRead')}</p>
        <ul class="chips">
          {event.fields.map((f) => (
            <li key={f}>
              {fieldLabel(f)} {vocabulary.isSensitive(f) && <SensitiveMark />}
            </li>
          ))}
        </ul>
        {'leafIndex' in event && <VerifyEntry event={event} />}
      </div>
    </li>
  );
}

function VerifyEntry({ event }: { event: AccessEvent }) {
  const { t, dateTime, number } = useI18n();
  const [state, setState] = useState<{ busy: boolean; result?: EntryVerification; error?: unknown }>({ busy: false });
  if (event.leafIndex === null || event.leafIndex === undefined || !event.logEntry) {
    return <p class="hint">{t('verify.notYetSequenced')}</p>;
  }
  const entry = { leafIndex: event.leafIndex, logEntry: event.logEntry };
  const run = (): void => {
    setState({ busy: true });
    verifyEntry(entry).then(
      (result) => setState({ busy: false, result }),
      (error: unknown) => setState({ busy: false, error }),
    );
  };
  const r = state.result;
  return (
    <div class="verify">
      <button type="button" class="button link" onClick={run} disabled={state.busy}>
        {state.busy ? t('verify.checking') : t('verify.action')}
      </button>
      <div role="status">
        {r?.outcome === 'verified' && (
          <p class="notice notice-success">
            {t('verify.verified', { size: number(r.treeSize), time: dateTime(r.timestamp) })} {r.anchored ? t('verify.anchored') : ''}
          </p>
        )}
        {r?.outcome === 'pending' && <p class="notice notice-info">{t('verify.pending')}</p>}
        {(r?.outcome === 'bad_signature' || r?.outcome === 'not_included') && <p class="notice notice-error">{t(`verify.${r.outcome}`)}</p>}
        {state.error !== undefined && (
          <p class="notice notice-error">{isMissingFeature(state.error) ? t('verify.unavailable') : t(errorMessageKey(state.error))}</p>
        )}
      </div>
    </div>
  );
}
