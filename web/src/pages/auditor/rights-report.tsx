import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import { Empty, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { dayInWords, deadlineInWords, momentInWords } from '../../rights/deadline-words';
import { RightsError, StateBadge } from '../../rights/request-view';
import type { RightsRequest } from '../../rights/types';

interface Report {
  generatedAt: string;
  overdue: RightsRequest[];
  late: RightsRequest[];
}

/** The auditor's report: requests open past their deadline now, and requests completed or answered after theirs. */
export function RightsReportPage() {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const report = useLoad(() => call<Report>('/v1/audit/rights-requests'));
  if (isMissingFeature(report.error)) {
    return (
      <Page title={t('rightsReport.title')}>
        <p class="notice notice-info">{t('rights.unavailable')}</p>
      </Page>
    );
  }
  const data = report.data;
  const now = data ? new Date(data.generatedAt) : new Date();
  const day = (iso: string): string => dayInWords(locale, iso, now);
  const phase = (r: RightsRequest): string => t(r.clock.phase === 'REPLY' ? 'rightsReport.phase.REPLY' : 'rightsReport.phase.COMPLETION');
  return (
    <Page title={t('rightsReport.title')} intro={t('rightsReport.intro')}>
      <RightsError error={report.error} />
      {report.loading && !data && <Loading />}
      {data && (
        <>
          <p class="muted">{t('rightsReport.generatedAt', { at: momentInWords(locale, data.generatedAt) })}</p>
          <h2 id="h-overdue">
            {t('rightsReport.overdue')} <span class="count">({data.overdue.length})</span>
          </h2>
          {data.overdue.length === 0 ? (
            <Empty>{t('rightsReport.noneOverdue')}</Empty>
          ) : (
            <div class="table-wrap">
              <table aria-labelledby="h-overdue">
                <thead>
                  <tr>
                    <th scope="col">{t('rightsReport.col.request')}</th>
                    <th scope="col">{t('rightsReport.col.state')}</th>
                    <th scope="col">{t('rightsReport.col.received')}</th>
                    <th scope="col">{t('rightsReport.col.deadline')}</th>
                    <th scope="col">{t('rightsReport.col.subject')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.overdue.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {t(`rights.kind.${r.kind}` as const)} <span class="mono muted">{r.id.slice(-8)}</span>
                      </td>
                      <td>
                        <StateBadge state={r.state} />
                      </td>
                      <td>{day(r.receivedAt)}</td>
                      <td>
                        {phase(r)}: {deadlineInWords(i18n, r.clock.dueAt, now)}
                      </td>
                      <td class="mono">{r.subjectId ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2 id="h-late">
            {t('rightsReport.late')} <span class="count">({data.late.length})</span>
          </h2>
          {data.late.length === 0 ? (
            <Empty>{t('rightsReport.noneLate')}</Empty>
          ) : (
            <div class="table-wrap">
              <table aria-labelledby="h-late">
                <thead>
                  <tr>
                    <th scope="col">{t('rightsReport.col.request')}</th>
                    <th scope="col">{t('rightsReport.col.state')}</th>
                    <th scope="col">{t('rightsReport.col.what')}</th>
                    <th scope="col">{t('rightsReport.col.subject')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.late.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {t(`rights.kind.${r.kind}` as const)} <span class="mono muted">{r.id.slice(-8)}</span>
                      </td>
                      <td>
                        <StateBadge state={r.state} />
                      </td>
                      <td>
                        <ul class="plain">
                          {r.clock.replyLate && (
                            <li>{t('rightsReport.replyLate', { due: day(r.replyDueAt), at: day(r.acknowledgedAt ?? r.closedAt ?? data.generatedAt) })}</li>
                          )}
                          {r.clock.status === 'LATE' && r.closedAt && <li>{t('rightsReport.closedLate', { due: day(r.dueAt), at: day(r.closedAt) })}</li>}
                        </ul>
                      </td>
                      <td class="mono">{r.subjectId ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
