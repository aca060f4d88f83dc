import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../../api/client';
import type { NoticeVersion } from '../../components/notice-texts';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/**
 * The organisation's own consent notice: every version it published, and a new one. A material
 * change asks every citizen who consented under an earlier version again, by the rule chosen.
 */
export function NoticePage() {
  const { t, dateTime, label } = useI18n();
  const me = useLoad(() => call<{ organizationId?: string }>('/v1/me'));
  const orgId = me.data?.organizationId;
  const versions = useLoad(
    async () =>
      orgId
        ? call<{ items: (NoticeVersion & { publishedAt: string })[] }>(`/v1/notices/organization/${orgId}`).catch((err: unknown) =>
            err instanceof ApiProblem && err.status === 404 ? { items: [] } : Promise.reject(err),
          )
        : undefined,
    [orgId],
  );
  const [vi, setVi] = useState('');
  const [en, setEn] = useState('');
  const [material, setMaterial] = useState(false);
  const [rule, setRule] = useState<'continue' | 'pause'>('continue');
  const [summaryVi, setSummaryVi] = useState('');
  const [summaryEn, setSummaryEn] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();

  const publish = (event: Event): void => {
    event.preventDefault();
    void action.run(async () => {
      const body = {
        text: { vi, en },
        material,
        ...(material ? { rule } : {}),
        ...(summaryVi && summaryEn ? { changeSummary: { vi: summaryVi, en: summaryEn } } : {}),
      };
      const published = await call<{ notice: NoticeVersion; affectedConsents: number }>(`/v1/notices/organization/${orgId}`, { body });
      setDone(t('orgNotice.published', { version: published.notice.version, count: published.affectedConsents }));
      versions.reload();
    });
  };

  return (
    <Page title={t('orgNotice.title')} intro={t('orgNotice.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <ErrorNotice error={me.error ?? versions.error} />
      {versions.loading && !versions.data && <Loading />}
      {versions.data?.items.length === 0 && <Empty>{t('orgNotice.none')}</Empty>}
      {versions.data?.items.map((n) => (
        <article class="card" key={n.version} aria-labelledby={`notice-v${n.version}`}>
          <h2 id={`notice-v${n.version}`}>{t('notices.organizationText', { version: n.version })}</h2>
          <p>{label(n.text, n.text.vi)}</p>
          <p class="muted">
            {dateTime(n.publishedAt)} · {n.rule ? t(n.rule === 'pause' ? 'orgNotice.materialPause' : 'orgNotice.materialContinue') : t('orgNotice.notMaterial')}
          </p>
        </article>
      ))}
      <form class="card" onSubmit={publish} aria-labelledby="new-notice">
        <h2 id="new-notice">{t('orgNotice.new')}</h2>
        <label for="notice-vi">{t('orgNotice.textVi')}</label>
        <textarea id="notice-vi" required maxLength={8000} value={vi} onInput={(e) => setVi(e.currentTarget.value)} />
        <label for="notice-en">{t('orgNotice.textEn')}</label>
        <textarea id="notice-en" required maxLength={8000} value={en} onInput={(e) => setEn(e.currentTarget.value)} />
        <div class="field-row">
          <input id="notice-material" type="checkbox" checked={material} onChange={(e) => setMaterial(e.currentTarget.checked)} />
          <label for="notice-material">{t('orgNotice.material')}</label>
        </div>
        {material && (
          <fieldset>
            <legend>{t('orgNotice.ruleLegend')}</legend>
            <div class="field-row">
              <input id="rule-continue" type="radio" name="rule" checked={rule === 'continue'} onChange={() => setRule('continue')} />
              <label for="rule-continue">{t('orgNotice.materialContinue')}</label>
            </div>
            <div class="field-row">
              <input id="rule-pause" type="radio" name="rule" checked={rule === 'pause'} onChange={() => setRule('pause')} />
              <label for="rule-pause">{t('orgNotice.materialPause')}</label>
            </div>
            <label for="summary-vi">{t('orgNotice.summaryVi')}</label>
            <input id="summary-vi" maxLength={8000} value={summaryVi} onInput={(e) => setSummaryVi(e.currentTarget.value)} />
            <label for="summary-en">{t('orgNotice.summaryEn')}</label>
            <input id="summary-en" maxLength={8000} value={summaryEn} onInput={(e) => setSummaryEn(e.currentTarget.value)} />
          </fieldset>
        )}
        <ErrorNotice error={action.error} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={action.busy || !orgId}>
            {t('orgNotice.publish')}
          </button>
        </div>
      </form>
    </Page>
  );
}
