import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { NoticeEditor } from '../../components/notice-editor';
import type { NoticeVersion } from '../../components/notice-texts';
import { ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The operator's notices: each purpose's text and each field's description, their versions, and a new one. */
export function NoticesPage() {
  const { t } = useI18n();
  const purposeLabel = usePurposeLabel();
  const fieldLabel = useFieldLabel();
  const [kind, setKind] = useState<'purpose' | 'field'>('purpose');
  const [key, setKey] = useState('');
  const current = useLoad(() => call<{ items: NoticeVersion[] }>(`/v1/notices?kind=${kind}`), [kind]);
  const keys = current.data?.items.map((n) => n.key) ?? [];
  const chosen = keys.includes(key) ? key : (keys[0] ?? '');
  return (
    <Page title={t('operatorNotices.title')} intro={t('operatorNotices.intro')}>
      <ErrorNotice error={current.error} />
      <div class="card">
        <label for="notice-kind">{t('operatorNotices.kind')}</label>
        <select id="notice-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as 'purpose' | 'field')}>
          <option value="purpose">{t('operatorNotices.purposes')}</option>
          <option value="field">{t('operatorNotices.fields')}</option>
        </select>
        <label for="notice-key">{t(kind === 'purpose' ? 'operatorNotices.purpose' : 'operatorNotices.field')}</label>
        <select id="notice-key" value={chosen} onChange={(e) => setKey(e.currentTarget.value)}>
          {keys.map((k) => (
            <option key={k} value={k}>
              {kind === 'purpose' ? purposeLabel(k) : fieldLabel(k)}
            </option>
          ))}
        </select>
      </div>
      {current.loading && !current.data && <Loading />}
      {chosen && <NoticeEditor key={`${kind}:${chosen}`} kind={kind} noticeKey={chosen} />}
    </Page>
  );
}
