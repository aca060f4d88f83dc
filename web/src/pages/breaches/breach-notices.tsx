import { call } from '../../api/client';
import type { BreachNotice } from '../../api/breach-types';
import { useFieldLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The citizen's breach notices: each breach that involved their data, what of it, through whom, and what was done. */
export function BreachNoticesPage() {
  const { t, dateTime, plural } = useI18n();
  const fieldLabel = useFieldLabel();
  const notices = useLoad(() => call<{ items: BreachNotice[] }>('/v1/me/breach-notices'));
  return (
    <Page title={t('breach.notices.title')} intro={t('breach.notices.intro')}>
      <ErrorNotice error={notices.error} />
      {notices.loading && !notices.data && <Loading />}
      {notices.data?.items.length === 0 && <Empty>{t('breach.notices.none')}</Empty>}
      <div class="stack">
        {notices.data?.items.map((n) => {
          const headingId = `notice-${n.breachId}`;
          return (
            <article key={n.breachId} class="card" aria-labelledby={headingId}>
              <p class="eyebrow">{t('breach.notices.eyebrow', { at: dateTime(n.detectedAt) })}</p>
              <h2 id={headingId}>{n.summary}</h2>
              <dl class="facts">
                <div>
                  <dt>{t('breach.notices.yourFields')}</dt>
                  <dd>{n.fields.map(fieldLabel).join('; ')}</dd>
                </div>
                <div>
                  <dt>{t('breach.notices.through')}</dt>
                  <dd>{n.consumers.map((c) => c.name || c.id).join(', ')}</dd>
                </div>
                <div>
                  <dt>{t('breach.notices.reads')}</dt>
                  <dd>{plural('breach.notices.readCount', n.reads, { from: dateTime(n.firstReadAt), to: dateTime(n.lastReadAt) })}</dd>
                </div>
                <div>
                  <dt>{t('breach.measures')}</dt>
                  <dd>{n.measures || t('breach.notices.measuresPending')}</dd>
                </div>
                {n.contact && (
                  <div>
                    <dt>{t('breach.contact')}</dt>
                    <dd>{n.contact}</dd>
                  </div>
                )}
              </dl>
              <p class="small">{n.closedAt ? t('breach.notices.closed', { at: dateTime(n.closedAt) }) : t('breach.notices.open')}</p>
            </article>
          );
        })}
      </div>
    </Page>
  );
}
