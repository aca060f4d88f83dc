import { call } from '../../api/client';
import type { BreachDetail } from '../../api/breach-types';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { BreachClock } from './breach-clock';

/** The auditor's view of the breach register: every breach with its 72-hour clock and its versions on the ledger. */
export function AuditBreachesPage() {
  const { t, dateTime } = useI18n();
  const report = useLoad(() => call<{ generatedAt: string; items: BreachDetail[] }>('/v1/audit/breaches'));
  return (
    <Page title={t('breach.audit.title')} intro={t('breach.audit.intro')}>
      <ErrorNotice error={report.error} />
      {report.loading && !report.data && <Loading />}
      {report.data?.items.length === 0 && <Empty>{t('breach.register.none')}</Empty>}
      {report.data && report.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('breach.audit.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('breach.summary')}</th>
                <th scope="col">{t('breach.detectedAt')}</th>
                <th scope="col">{t('breach.audit.clock')}</th>
                <th scope="col">{t('breach.affected')}</th>
                <th scope="col">{t('breach.consumers')}</th>
                <th scope="col">{t('breach.audit.ledger')}</th>
                <th scope="col">{t('breach.audit.form')}</th>
              </tr>
            </thead>
            <tbody>
              {report.data.items.map((b) => {
                const anchored = b.versions.filter((v) => v.ledgerTransactionId).length;
                return (
                  <tr key={b.id}>
                    <td>
                      {b.summary}
                      <span class="block small">{b.state === 'OPEN' ? t('breach.state.OPEN') : t('breach.state.CLOSED')}</span>
                    </td>
                    <td>{dateTime(b.detectedAt)}</td>
                    <td>
                      <BreachClock breach={b} />
                    </td>
                    <td>{b.affectedSubjects}</td>
                    <td class="small">{b.consumers.map((c) => `${c.name || c.id} (${c.affectedSubjects})`).join(', ')}</td>
                    <td>{t('breach.audit.anchored', { anchored, total: b.versions.length })}</td>
                    <td>
                      <a href={`/v1/breaches/${b.id}/authority-form?format=html`} target="_blank" rel="noopener">
                        {t('breach.formHtml')}
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
