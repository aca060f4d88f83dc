import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { Product } from '../../api/types';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { ErrorNotice, Loading } from '../../components/notices';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

interface Earnings {
  period: string;
  totalDong: string;
  items: { licenceId: string; productId: string; records: number; amountDong: string }[];
}

/**
 * The citizen's two exchange questions: may my data count in anonymous statistics, and what have I
 * earned this month from products built on it. Hidden when the server has no exchange.
 */
export function StatisticsAndEarnings() {
  const { t, money, number, label } = useI18n();
  const period = new Date().toISOString().slice(0, 7);
  const state = useLoad(async () => {
    const [preferences, earnings, catalogue] = await Promise.all([
      call<{ statisticsOptOut: boolean }>('/v1/me/preferences'),
      call<Earnings>(`/v1/me/earnings?period=${period}`),
      call<{ items: Product[] }>('/v1/products?limit=100').catch(() => ({ items: [] as Product[] })),
    ]);
    return { preferences, earnings, titles: new Map(catalogue.items.map((p) => [p.id, p.title])) };
  });
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const [done, setDone] = useState('');
  const action = useAction();
  if (isMissingFeature(state.error)) return null;
  if (state.loading && !state.data) return <Loading />;
  if (!state.data) return <ErrorNotice error={state.error} />;
  const optedOut = state.data.preferences.statisticsOptOut;
  const change = (): void =>
    setConfirm({
      title: optedOut ? t('stats.joinTitle') : t('stats.leaveTitle'),
      body: optedOut ? t('stats.joinBody') : t('stats.leaveBody'),
      confirmLabel: optedOut ? t('stats.join') : t('stats.leave'),
      onConfirm: () =>
        void action.run(async () => {
          await call('/v1/me/preferences', { method: 'PUT', body: { statisticsOptOut: !optedOut } });
          setDone(optedOut ? t('stats.joined') : t('stats.left'));
          state.reload();
        }),
    });
  return (
    <>
      <section class="card" aria-labelledby="stats-heading">
        <h2 id="stats-heading">{t('stats.title')}</h2>
        <p>{optedOut ? t('stats.out') : t('stats.in')}</p>
        <p class="hint">{t('stats.why')}</p>
        {done && (
          <p class="notice notice-success" role="status">
            {done}
          </p>
        )}
        <ErrorNotice error={action.error} />
        <div class="actions">
          <button type="button" class="button secondary" disabled={action.busy} onClick={change}>
            {optedOut ? t('stats.join') : t('stats.leave')}
          </button>
        </div>
      </section>
      <section class="card" aria-labelledby="earnings-heading">
        <h2 id="earnings-heading">{t('earnings.title')}</h2>
        <p class="lead">{t('earnings.total', { period: state.data.earnings.period, amount: money(BigInt(state.data.earnings.totalDong)) })}</p>
        {state.data.earnings.items.length === 0 ? (
          <p class="hint">{t('earnings.none')}</p>
        ) : (
          <ul>
            {state.data.earnings.items.map((e) => (
              <li key={e.licenceId}>
                {t('earnings.item', {
                  product: label(state.data!.titles.get(e.productId), e.productId),
                  records: number(e.records),
                  amount: money(BigInt(e.amountDong)),
                })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </>
  );
}
