import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { Invoice } from '../../api/types';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

const thisMonth = (): string => new Date().toISOString().slice(0, 7);

/** Monthly statements: usage and subscription in đồng, and how each total is shared. */
export function InvoicesPage() {
  const { t, number, money } = useI18n();
  const [period, setPeriod] = useState(thisMonth);
  const invoices = useLoad(() => call<{ items: Invoice[] }>(`/v1/invoices?period=${period}`), [period]);
  if (isMissingFeature(invoices.error)) {
    return (
      <Page title={t('invoices.title')}>
        <p class="notice notice-info">{t('exchange.unavailable')}</p>
      </Page>
    );
  }
  const dong = (s: string): string => money(BigInt(s));
  return (
    <Page title={t('invoices.title')} intro={t('invoices.intro')}>
      <div class="field inline">
        <label for="inv-period">{t('invoices.period')}</label>
        <input id="inv-period" type="month" value={period} onInput={(e) => /^\d{4}-\d{2}$/.test(e.currentTarget.value) && setPeriod(e.currentTarget.value)} />
      </div>
      <ErrorNotice error={invoices.error} />
      {invoices.loading && !invoices.data && <Loading />}
      {invoices.data?.items.length === 0 && <Empty>{t('invoices.none')}</Empty>}
      {invoices.data && invoices.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('invoices.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('invoices.licence')}</th>
                <th scope="col">{t('invoices.units')}</th>
                <th scope="col">{t('invoices.usage')}</th>
                <th scope="col">{t('invoices.subscription')}</th>
                <th scope="col">{t('invoices.total')}</th>
                <th scope="col">{t('invoices.split')}</th>
                <th scope="col">{t('invoices.status')}</th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.items.map((i) => (
                <tr key={i.licenceId}>
                  <td class="mono small">…{i.licenceId.slice(-8)}</td>
                  <td>{number(i.units)}</td>
                  <td>{dong(i.usageDong)}</td>
                  <td>{dong(i.subscriptionDong)}</td>
                  <td>
                    <strong>{dong(i.totalDong)}</strong>
                  </td>
                  <td class="small">
                    {t('invoices.splitLine', {
                      provider: dong(i.split.provider),
                      operator: dong(i.split.operator),
                      state: dong(i.split.stateBudget),
                      citizens: dong(i.split.citizens),
                    })}
                  </td>
                  <td>{i.status === 'ANCHORED' ? t('invoices.anchored') : t('invoices.open')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
