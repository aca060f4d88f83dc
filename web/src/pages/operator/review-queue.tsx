import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { Product } from '../../api/types';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { usePurposeLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

const REASONS = ['missing_purposes', 'reidentification_risk', 'resale_permitted', 'no_minimum_cohort', 'unclear_terms', 'pricing', 'other'] as const;

/** Products waiting for the operator's review before they are listed on the exchange. */
export function ReviewQueuePage() {
  const { t } = useI18n();
  const queue = useLoad(() => call<{ items: Product[] }>('/v1/products?status=PENDING_REVIEW&limit=100'));
  const [done, setDone] = useState('');
  if (isMissingFeature(queue.error)) {
    return (
      <Page title={t('review.title')}>
        <p class="notice notice-info">{t('exchange.unavailable')}</p>
      </Page>
    );
  }
  return (
    <Page title={t('review.title')} intro={t('review.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <ErrorNotice error={queue.error} />
      {queue.loading && !queue.data && <Loading />}
      {queue.data?.items.length === 0 && <Empty>{t('review.none')}</Empty>}
      <div class="stack">
        {queue.data?.items.map((p) => (
          <ReviewCard
            key={p.id}
            product={p}
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

function ReviewCard({ product, onDone }: { product: Product; onDone(message: string): void }) {
  const { t, optional, label, money, plural } = useI18n();
  const purposeLabel = usePurposeLabel();
  const [reason, setReason] = useState<(typeof REASONS)[number]>('unclear_terms');
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const action = useAction();
  const title = label(product.title, product.id);
  const decide = (verb: 'approve' | 'reject'): void =>
    setConfirm({
      title: verb === 'approve' ? t('review.approveTitle') : t('review.rejectTitle'),
      body: verb === 'approve' ? t('review.approveBody', { title }) : t('review.rejectBody', { title, reason: t(`review.reason.${reason}` as const) }),
      confirmLabel: verb === 'approve' ? t('review.approve') : t('review.reject'),
      danger: verb === 'reject',
      onConfirm: () =>
        void action.run(async () => {
          await call(`/v1/products/${product.id}/${verb}`, { body: verb === 'reject' ? { reason } : {} });
          onDone(verb === 'approve' ? t('review.approved', { title }) : t('review.rejected', { title }));
        }),
    });
  const headingId = `product-${product.id}`;
  return (
    <article class="card" aria-labelledby={headingId}>
      <p class="eyebrow">{product.provider.name}</p>
      <h2 id={headingId}>{title}</h2>
      <p>{label(product.description, '')}</p>
      <dl class="facts">
        <div>
          <dt>{t('review.kind')}</dt>
          <dd>{t(`review.kind.${product.kind}` as const)}</dd>
        </div>
        <div>
          <dt>{t('review.purposes')}</dt>
          <dd>{product.terms.permittedPurposes.map(purposeLabel).join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t('review.duration')}</dt>
          <dd>{plural('review.durationDays', product.terms.durationDays)}</dd>
        </div>
        <div>
          <dt>{t('review.prohibited')}</dt>
          <dd>{product.terms.prohibitedActions.map((a) => optional(`review.action.${a}`) ?? a).join(', ') || '—'}</dd>
        </div>
        {product.terms.minCohortSize !== undefined && (
          <div>
            <dt>{t('review.minCohort')}</dt>
            <dd>{product.terms.minCohortSize}</dd>
          </div>
        )}
        <div>
          <dt>{t('review.plans')}</dt>
          <dd>{product.plans.map((p) => `${p.id}: ${money(BigInt(p.priceDong))}`).join('; ')}</dd>
        </div>
      </dl>
      {(product.prelistingFlags ?? []).length > 0 && (
        <div class="notice notice-warning">
          <p class="small-heading">{t('review.flags')}</p>
          <ul>
            {product.prelistingFlags!.map((f) => (
              <li key={f.code}>
                {optional(`review.flag.${f.code}`) ?? f.code}
                {f.severity === 'warn' ? ` (${t('review.flagWarn')})` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="field">
        <label for={`reason-${product.id}`}>{t('review.reason')}</label>
        <select id={`reason-${product.id}`} value={reason} onChange={(e) => setReason(e.currentTarget.value as (typeof REASONS)[number])}>
          {REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`review.reason.${r}` as const)}
            </option>
          ))}
        </select>
      </div>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button type="button" class="button primary" disabled={action.busy} onClick={() => decide('approve')}>
          {t('review.approve')}
        </button>
        <button type="button" class="button danger" disabled={action.busy} onClick={() => decide('reject')}>
          {t('review.reject')}
        </button>
      </div>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </article>
  );
}
