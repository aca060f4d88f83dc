import { useState } from 'preact/hooks';
import { ApiProblem, call } from '../api/client';
import type { NoticeVersion } from './notice-texts';
import { Empty, ErrorNotice, Loading, SuccessNotice } from './notices';
import { useAction, useLoad } from './use-load';
import { useI18n } from '../i18n/i18n';

/**
 * One notice's versions, newest first, and a new one: a material change asks every citizen who
 * consented under an earlier version again, by the rule chosen. The operator's purposes and fields
 * and an organisation's own notice are edited alike.
 */
export function NoticeEditor({ kind, noticeKey }: { kind: NoticeVersion['kind']; noticeKey: string }) {
  const { t, dateTime, label } = useI18n();
  const path = `/v1/notices/${kind}/${encodeURIComponent(noticeKey)}`;
  const versions = useLoad(
    () =>
      call<{ items: (NoticeVersion & { publishedAt: string })[] }>(path).catch((err: unknown) =>
        err instanceof ApiProblem && err.status === 404 ? { items: [] } : Promise.reject(err),
      ),
    [path],
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
      const published = await call<{ notice: NoticeVersion; affectedConsents: number }>(path, { body });
      setDone(t('orgNotice.published', { version: published.notice.version, count: published.affectedConsents }));
      versions.reload();
    });
  };

  return (
    <>
      <SuccessNotice>{done}</SuccessNotice>
      <ErrorNotice error={versions.error} />
      {versions.loading && !versions.data && <Loading />}
      {versions.data?.items.length === 0 && <Empty>{t('orgNotice.none')}</Empty>}
      {versions.data?.items.map((n) => (
        <article class="card" key={n.version} aria-labelledby={`notice-v${n.version}`}>
          <h2 id={`notice-v${n.version}`}>
            {t(kind === 'purpose' ? 'notices.purposeText' : kind === 'field' ? 'notices.fieldText' : 'notices.organizationText', { version: n.version })}
          </h2>
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
          <button type="submit" class="button primary" disabled={action.busy}>
            {t('orgNotice.publish')}
          </button>
        </div>
      </form>
    </>
  );
}
