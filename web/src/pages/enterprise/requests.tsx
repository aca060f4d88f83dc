import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { Consent, ConsentStatus } from '../../api/types';
import { useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { linkHandler } from '../../router';

const STATUSES: ConsentStatus[] = ['REQUESTED', 'ACTIVE', 'PAUSED', 'REJECTED', 'REVOKED', 'EXPIRED'];

/** The organisation's consent requests and where each stands, newest first, a page at a time. */
export function EnterpriseRequestsPage() {
  const { t, date } = useI18n();
  const fieldLabel = useFieldLabel();
  const purposeLabel = usePurposeLabel();
  const [status, setStatus] = useState<ConsentStatus | ''>('');
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const page = useLoad(() => {
    const query = new URLSearchParams({ limit: '20' });
    if (status) query.set('status', status);
    if (cursor) query.set('cursor', cursor);
    return call<{ items: Consent[]; nextCursor: string }>(`/v1/consents?${query.toString()}`);
  }, [status, cursor]);
  return (
    <Page title={t('enterprise.title')} intro={t('enterprise.intro')}>
      <div class="toolbar">
        <div class="field inline">
          <label for="status-filter">{t('enterprise.filter')}</label>
          <select
            id="status-filter"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as ConsentStatus | '');
              cursors.reset();
            }}
          >
            <option value="">{t('enterprise.allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as const)}
              </option>
            ))}
          </select>
        </div>
        <a class="button primary" href="/enterprise/new" onClick={linkHandler('/enterprise/new')}>
          {t('nav.newRequest')}
        </a>
      </div>
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data?.items.length === 0 && <Empty>{t('enterprise.none')}</Empty>}
      <div class="stack">
        {page.data?.items.map((c) => (
          <article key={c.id} class="card compact" aria-labelledby={`c-${c.id}`}>
            <div class="card-head">
              <h2 id={`c-${c.id}`}>{purposeLabel(c.purpose)}</h2>
              <StatusBadge status={c.status} />
            </div>
            <p class="muted">
              {t('enterprise.requestedAt', { date: date(c.requestedAt) })} · {t('enterprise.until', { date: date(c.validUntil) })} ·{' '}
              <span class="mono">{c.id}</span>
            </p>
            <p>
              <strong>{t('enterprise.fields')}</strong>{' '}
              {c.requestedFields
                .map((f) =>
                  (c.status === 'ACTIVE' || c.status === 'PAUSED' || c.status === 'REVOKED' || c.status === 'EXPIRED') && !c.grantedFields.includes(f)
                    ? `${fieldLabel(f)} (${t('enterprise.notGranted')})`
                    : fieldLabel(f),
                )
                .join('; ')}
            </p>
          </article>
        ))}
      </div>
      <CursorPager cursors={cursors} nextCursor={page.data?.nextCursor} />
    </Page>
  );
}
