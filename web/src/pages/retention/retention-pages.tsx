import { call } from '../../api/client';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { useFieldLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n, type MessageKey } from '../../i18n/i18n';

/** A granted read and where the deletion of what it gave stands (GET /v1/me/retention, /v1/audit/retention). */
interface RetainedRead {
  accessEventId: string;
  consumer: { id: string; name: string };
  purpose: string;
  fields: string[];
  readAt: string;
  retentionDays: number;
  deleteBy: string;
  deletionConfirmedAt: string | null;
  state: 'PENDING' | 'OVERDUE' | 'CONFIRMED';
  confirmedLate: boolean;
}

const STATE_CLASS = { PENDING: 'badge status-requested', OVERDUE: 'badge status-refused', CONFIRMED: 'badge status-active' } as const;

function ReadsTable({ caption, items }: { caption: string; items: RetainedRead[] }) {
  const { t, dateTime } = useI18n();
  const fieldLabel = useFieldLabel();
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('retention.who')}</th>
            <th scope="col">{t('retention.what')}</th>
            <th scope="col">{t('retention.readAt')}</th>
            <th scope="col">{t('retention.deleteBy')}</th>
            <th scope="col">{t('retention.state')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.accessEventId}>
              <td>{r.consumer.name || r.consumer.id}</td>
              <td>{r.fields.map(fieldLabel).join('; ')}</td>
              <td>{dateTime(r.readAt)}</td>
              <td>{dateTime(r.deleteBy)}</td>
              <td>
                <span class={STATE_CLASS[r.state]}>{t(`retention.state.${r.state}` as MessageKey)}</span>
                {r.deletionConfirmedAt && (
                  <span class="small">
                    {' '}
                    {t(r.confirmedLate ? 'retention.confirmedLate' : 'retention.confirmedAt', { at: dateTime(r.deletionConfirmedAt) })}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The citizen: every read of their data, and whether the organisation deleted what it read by the deadline its consent set. */
export function RetentionPage() {
  const { t, plural } = useI18n();
  const cursors = useCursors();
  const page = useLoad(
    () =>
      call<{ items: RetainedRead[]; nextCursor: string; overdue: number }>(
        `/v1/me/retention?limit=50${cursors.cursor ? `&cursor=${encodeURIComponent(cursors.cursor)}` : ''}`,
      ),
    [cursors.cursor],
  );
  return (
    <Page title={t('retention.title')} intro={t('retention.intro')}>
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data && (
        <p role="status" class={page.data.overdue > 0 ? 'notice notice-warning' : 'notice notice-info'}>
          {page.data.overdue > 0 ? plural('retention.overdueCount', page.data.overdue) : t('retention.noneOverdue')}
        </p>
      )}
      {page.data?.items.length === 0 && <Empty>{t('retention.none')}</Empty>}
      {page.data && page.data.items.length > 0 && <ReadsTable caption={t('retention.caption')} items={page.data.items} />}
      <CursorPager cursors={cursors} nextCursor={page.data?.nextCursor} />
    </Page>
  );
}

/** Auditors: deletions past their deadline that no organisation confirmed. */
export function AuditRetentionPage() {
  const { t } = useI18n();
  const cursors = useCursors();
  const page = useLoad(
    () =>
      call<{ items: RetainedRead[]; nextCursor: string }>(
        `/v1/audit/retention?limit=50${cursors.cursor ? `&cursor=${encodeURIComponent(cursors.cursor)}` : ''}`,
      ),
    [cursors.cursor],
  );
  return (
    <Page title={t('retention.audit.title')} intro={t('retention.audit.intro')}>
      <ErrorNotice error={page.error} />
      {page.loading && !page.data && <Loading />}
      {page.data?.items.length === 0 && <Empty>{t('retention.audit.none')}</Empty>}
      {page.data && page.data.items.length > 0 && <ReadsTable caption={t('retention.audit.caption')} items={page.data.items} />}
      <CursorPager cursors={cursors} nextCursor={page.data?.nextCursor} />
    </Page>
  );
}
