import { call } from '../../api/client';
import type { CitizenRecord } from '../../api/types';
import { SensitiveMark } from '../../components/field-name';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { useLoad } from '../../components/use-load';
import { useI18n, type I18n } from '../../i18n/i18n';
import { useVocabulary, type VocabularyField } from '../../vocabulary';
import { StatisticsAndEarnings } from './statistics-and-earnings';

/** My data: records by category, each with the custodian who deposited it. */
export function MyDataPage() {
  const { t } = useI18n();
  const records = useLoad(() => call<{ items: CitizenRecord[] }>('/v1/me/records'));
  return (
    <Page title={t('myData.title')} intro={t('myData.intro')}>
      <ErrorNotice error={records.error} />
      {records.loading && !records.data && <Loading />}
      {records.data?.items.length === 0 && <Empty>{t('myData.none')}</Empty>}
      <div class="grid">
        {records.data?.items.map((r) => (
          <RecordCard key={r.id} record={r} />
        ))}
      </div>
      <div class="group">
        <StatisticsAndEarnings />
      </div>
    </Page>
  );
}

function RecordCard({ record }: { record: CitizenRecord }) {
  const i18n = useI18n();
  const { t, label, date } = i18n;
  const category = useVocabulary().category(record.category);
  const headingId = `record-${record.id}`;
  const known = category?.fields.filter((f) => f.name in record.fields) ?? [];
  const unknown = Object.keys(record.fields).filter((name) => !category?.fields.some((f) => f.name === name));
  return (
    <article class="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{label(category?.labels, record.category)}</h2>
      <p class="muted">
        {t('myData.custodian', { name: record.custodian.name })} · {t('myData.depositedAt', { date: date(record.depositedAt) })}
      </p>
      <dl class="record">
        {known.map((f) => (
          <div key={f.name}>
            <dt>
              {label(f.labels, f.name)} {f.sensitive && <SensitiveMark />}
            </dt>
            <dd>{formatValue(record.fields[f.name], f, i18n)}</dd>
          </div>
        ))}
        {unknown.map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{formatValue(record.fields[name], undefined, i18n)}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}

function formatValue(value: unknown, field: VocabularyField | undefined, i18n: I18n): string {
  if (value === null || value === undefined || value === '') return '—';
  if (field?.type === 'date' && typeof value === 'string') return i18n.date(value);
  if (typeof value === 'number') return i18n.number(value);
  if (typeof value === 'boolean') return value ? i18n.t('common.yes') : i18n.t('common.no');
  if (typeof value === 'string') return i18n.optional(`value.${value}`) ?? value; // enum values (sex, statuses) have words
  return JSON.stringify(value);
}
