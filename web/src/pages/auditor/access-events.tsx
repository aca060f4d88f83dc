import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { AccessEvent, Organization } from '../../api/types';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';

interface Filter {
  consumerOrgId: string;
  purpose: string;
  outcome: '' | 'GRANTED' | 'DENIED';
  from: string;
  to: string;
}

const EMPTY: Filter = { consumerOrgId: '', purpose: '', outcome: '', from: '', to: '' };

/** Every read of personal data, granted or refused, across all citizens (pseudonymous ids only), filtered. */
export function AccessEventsPage() {
  const { t, label, dateTime, optional } = useI18n();
  const vocabulary = useVocabulary();
  const fieldLabel = useFieldLabel();
  const purposeLabel = usePurposeLabel();
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const cursors = useCursors();
  const organizations = useLoad(() => call<{ items: Organization[] }>('/v1/organizations'));
  const events = useLoad(() => {
    const q = new URLSearchParams({ limit: '25' });
    if (filter.consumerOrgId) q.set('consumerOrgId', filter.consumerOrgId);
    if (filter.purpose) q.set('purpose', filter.purpose);
    if (filter.outcome) q.set('outcome', filter.outcome);
    if (filter.from) q.set('from', new Date(`${filter.from}T00:00:00+07:00`).toISOString());
    if (filter.to) q.set('to', new Date(`${filter.to}T23:59:59.999+07:00`).toISOString());
    if (cursors.cursor) q.set('cursor', cursors.cursor);
    return call<{ items: (AccessEvent & { subjectId: string })[]; nextCursor: string }>(`/v1/audit/access-events?${q.toString()}`);
  }, [filter, cursors.cursor]);
  if (isMissingFeature(events.error)) {
    return (
      <Page title={t('events.title')}>
        <p class="notice notice-info">{t('auditor.unavailable')}</p>
      </Page>
    );
  }
  const set = (patch: Partial<Filter>): void => setDraft({ ...draft, ...patch });
  return (
    <Page title={t('events.title')} intro={t('events.intro')}>
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          cursors.reset();
          setFilter(draft);
        }}
      >
        <div class="row">
          <div class="field">
            <label for="ev-consumer">{t('events.consumer')}</label>
            <select id="ev-consumer" value={draft.consumerOrgId} onChange={(e) => set({ consumerOrgId: e.currentTarget.value })}>
              <option value="">{t('events.any')}</option>
              {organizations.data?.items
                .filter((o) => o.roles.includes('consumer'))
                .map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
            </select>
          </div>
          <div class="field">
            <label for="ev-purpose">{t('consent.purpose')}</label>
            <select id="ev-purpose" value={draft.purpose} onChange={(e) => set({ purpose: e.currentTarget.value })}>
              <option value="">{t('events.any')}</option>
              {vocabulary.data.purposes.map((p) => (
                <option key={p.code} value={p.code}>
                  {label(p.labels, p.code)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="ev-outcome">{t('events.outcome')}</label>
            <select
              id="ev-outcome"
              value={draft.outcome}
              onChange={(e) => set({ outcome: e.currentTarget.value === 'GRANTED' || e.currentTarget.value === 'DENIED' ? e.currentTarget.value : '' })}
            >
              <option value="">{t('events.any')}</option>
              <option value="GRANTED">{t('activity.read')}</option>
              <option value="DENIED">{t('activity.refused')}</option>
            </select>
          </div>
        </div>
        <div class="row">
          <div class="field">
            <label for="ev-from">{t('reports.from')}</label>
            <input id="ev-from" type="date" value={draft.from} onInput={(e) => set({ from: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="ev-to">{t('reports.to')}</label>
            <input id="ev-to" type="date" value={draft.to} onInput={(e) => set({ to: e.currentTarget.value })} />
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="button primary">
            {t('events.search')}
          </button>
        </div>
      </form>
      <ErrorNotice error={events.error} />
      {events.loading && !events.data && <Loading />}
      {events.data?.items.length === 0 && <Empty>{t('events.none')}</Empty>}
      {events.data && events.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('events.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('ledger.time')}</th>
                <th scope="col">{t('events.consumer')}</th>
                <th scope="col">{t('events.subject')}</th>
                <th scope="col">{t('consent.purpose')}</th>
                <th scope="col">{t('events.fields')}</th>
                <th scope="col">{t('events.outcome')}</th>
                <th scope="col">{t('events.leaf')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.items.map((e) => (
                <tr key={e.id}>
                  <td>{dateTime(e.at)}</td>
                  <td>{e.consumer.name}</td>
                  <td class="mono small">…{e.subjectId.slice(-8)}</td>
                  <td>{purposeLabel(e.purpose)}</td>
                  <td class="small">{e.fields.map(fieldLabel).join('; ')}</td>
                  <td>
                    {e.outcome === 'GRANTED' ? (
                      <span class="badge status-read">{t('activity.read')}</span>
                    ) : (
                      <>
                        <span class="badge status-refused">{t('activity.refused')}</span>
                        <span class="block small">{optional(`reason.${e.reason ?? ''}`) ?? t('reason.other')}</span>
                      </>
                    )}
                  </td>
                  <td>{e.leafIndex ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPager cursors={cursors} nextCursor={events.data?.nextCursor} />
    </Page>
  );
}
