import { useState } from 'preact/hooks';
import { download, send } from '../../api/client';
import { errorMessageKey, isMissingFeature } from '../../api/error-messages';
import { Page } from '../../components/page';
import { useAction } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** Compliance reports as CSV or JSON files. */
export function ReportsPage() {
  const { t } = useI18n();
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(daysAgo(-1));
  const action = useAction();
  const get = (path: string, filename: string, format: 'csv' | 'json'): void =>
    void action.run(async () => {
      const res = await send(path, { accept: format === 'csv' ? 'text/csv' : 'application/json' });
      await download(res, filename);
    });
  const accessSummary = (format: 'csv' | 'json'): void =>
    get(
      `/v1/audit/reports/access-summary?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&format=${format}`,
      `access-summary-${from}-${to}.${format}`,
      format,
    );
  const consentStats = (format: 'csv' | 'json'): void => get(`/v1/audit/reports/consent-stats?format=${format}`, `consent-stats.${format}`, format);
  return (
    <Page title={t('reports.title')} intro={t('reports.intro')}>
      <section class="card" aria-labelledby="r-access">
        <h2 id="r-access">{t('reports.accessSummary')}</h2>
        <div class="row">
          <div class="field">
            <label for="r-from">{t('reports.from')}</label>
            <input id="r-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="r-to">{t('reports.to')}</label>
            <input id="r-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </div>
        </div>
        <div class="actions">
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => accessSummary('csv')}>
            {t('reports.downloadCsv')}
          </button>
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => accessSummary('json')}>
            {t('reports.downloadJson')}
          </button>
        </div>
      </section>
      <section class="card" aria-labelledby="r-consents">
        <h2 id="r-consents">{t('reports.consentStats')}</h2>
        <div class="actions">
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => consentStats('csv')}>
            {t('reports.downloadCsv')}
          </button>
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => consentStats('json')}>
            {t('reports.downloadJson')}
          </button>
        </div>
      </section>
      {action.error !== undefined && (
        <p class="notice notice-error" role="alert">
          {isMissingFeature(action.error) ? t('auditor.unavailable') : t(errorMessageKey(action.error))}
        </p>
      )}
    </Page>
  );
}
