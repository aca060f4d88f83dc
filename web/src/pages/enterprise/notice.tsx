import { call } from '../../api/client';
import { NoticeEditor } from '../../components/notice-editor';
import { ErrorNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The organisation's own consent notice: every version it published, and a new one. */
export function NoticePage() {
  const { t } = useI18n();
  const me = useLoad(() => call<{ organizationId?: string }>('/v1/me'));
  const orgId = me.data?.organizationId;
  return (
    <Page title={t('orgNotice.title')} intro={t('orgNotice.intro')}>
      <ErrorNotice error={me.error} />
      {orgId && <NoticeEditor kind="organization" noticeKey={orgId} />}
    </Page>
  );
}
