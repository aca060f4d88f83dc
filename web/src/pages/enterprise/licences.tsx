import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { Licence, LicenceUsage, Product } from '../../api/types';
import { usePurposeLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The organisation's licences on the exchange, with each one's metered usage by month. */
export function LicencesPage() {
  const { t, date, label } = useI18n();
  const purposeLabel = usePurposeLabel();
  const [open, setOpen] = useState<string | undefined>();
  const licences = useLoad(async () => {
    const [mine, catalogue] = await Promise.all([
      call<{ items: Licence[] }>('/v1/licences?limit=200'),
      call<{ items: Product[] }>('/v1/products?limit=100').catch(() => ({ items: [] as Product[] })),
    ]);
    return { items: mine.items, titles: new Map(catalogue.items.map((p) => [p.id, p.title])) };
  });
  if (isMissingFeature(licences.error)) {
    return (
      <Page title={t('licences.title')}>
        <p class="notice notice-info">{t('exchange.unavailable')}</p>
      </Page>
    );
  }
  return (
    <Page title={t('licences.title')} intro={t('licences.intro')}>
      <ErrorNotice error={licences.error} />
      {licences.loading && !licences.data && <Loading />}
      {licences.data?.items.length === 0 && <Empty>{t('licences.none')}</Empty>}
      <ul class="stack plain">
        {licences.data?.items.map((l) => (
          <li key={l.id} class="card compact">
            <div class="card-head">
              <h2>{label(licences.data!.titles.get(l.productId), l.productId)}</h2>
              <span class={`badge ${l.status === 'ACTIVE' ? 'status-active' : 'status-revoked'}`}>{l.status}</span>
            </div>
            <p class="muted">
              {t('licences.plan', { plan: l.planId })} · {purposeLabel(l.purpose)} · {t('licences.valid', { from: date(l.validFrom), to: date(l.validUntil) })}
            </p>
            {l.privacyBudget && <p class="muted">{t('licences.privacy', { spent: l.privacyBudget.spent, epsilon: l.privacyBudget.epsilon })}</p>}
            <button type="button" class="disclosure" aria-expanded={open === l.id} onClick={() => setOpen(open === l.id ? undefined : l.id)}>
              <span aria-hidden="true">{open === l.id ? '▾ ' : '▸ '}</span>
              {t('licences.usage')}
            </button>
            {open === l.id && <Usage licenceId={l.id} />}
          </li>
        ))}
      </ul>
    </Page>
  );
}

function Usage({ licenceId }: { licenceId: string }) {
  const { t, number, money } = useI18n();
  const usage = useLoad(() => call<LicenceUsage>(`/v1/licences/${licenceId}/usage`), [licenceId]);
  if (usage.loading) return <Loading />;
  if (usage.error) return <ErrorNotice error={usage.error} />;
  if (!usage.data?.periods.length) return <Empty>{t('licences.noUsage')}</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t('invoices.period')}</th>
            <th scope="col">{t('licences.calls')}</th>
            <th scope="col">{t('invoices.units')}</th>
            <th scope="col">{t('invoices.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {usage.data.periods.map((p) => (
            <tr key={p.period}>
              <td>{p.period}</td>
              <td>{number(p.calls)}</td>
              <td>{number(p.units)}</td>
              <td>{money(BigInt(p.amountDong))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
