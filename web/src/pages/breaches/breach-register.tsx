import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { Breach } from '../../api/breach-types';
import type { Organization } from '../../api/types';
import { useFieldLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';
import { BreachClock } from './breach-clock';

/** `datetime-local` input value for a time, in the browser's zone. */
const localInput = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const iso = (local: string): string => new Date(local).toISOString();

/** The operator's breach register: record a breach, and follow each one's 72-hour clock until it is closed. */
export function BreachRegisterPage() {
  const { t, plural } = useI18n();
  const list = useLoad(() => call<{ items: Breach[] }>('/v1/breaches'));
  const [done, setDone] = useState('');
  const finished = (message: string): void => {
    setDone(message);
    list.reload();
  };
  return (
    <Page title={t('breach.register.title')} intro={t('breach.register.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <RecordForm onRecorded={(b) => finished(plural('breach.recorded', b.affectedSubjects))} />
      <h2>{t('breach.register.list')}</h2>
      <ErrorNotice error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data?.items.length === 0 && <Empty>{t('breach.register.none')}</Empty>}
      <div class="stack">
        {list.data?.items.map((b) => (
          <BreachCard key={b.id} breach={b} onClosed={() => finished(t('breach.closed'))} />
        ))}
      </div>
    </Page>
  );
}

function RecordForm({ onRecorded }: { onRecorded(b: Breach): void }) {
  const { t, label } = useI18n();
  const vocabulary = useVocabulary();
  const organizations = useLoad(() => call<{ items: Organization[] }>('/v1/organizations'));
  const now = new Date();
  const [summary, setSummary] = useState('');
  const [detectedAt, setDetectedAt] = useState(localInput(now));
  const [from, setFrom] = useState(localInput(new Date(now.getTime() - 7 * 86_400_000)));
  const [to, setTo] = useState(localInput(now));
  const [consumers, setConsumers] = useState<Set<string>>(new Set());
  const [fields, setFields] = useState<Set<string>>(new Set());
  const [contact, setContact] = useState('');
  const action = useAction();
  const toggle = (set: Set<string>, value: string, on: boolean): Set<string> => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };
  const submit = (event: Event): void => {
    event.preventDefault();
    const chosen = [...fields];
    void action.run(async () => {
      const b = await call<Breach>('/v1/breaches', {
        body: {
          summary,
          detectedAt: iso(detectedAt),
          dataCategories: [...new Set(chosen.map((f) => f.split('.')[0]!))],
          consumerOrgIds: [...consumers],
          fields: chosen,
          window: { from: iso(from), to: iso(to) },
          ...(contact.trim() ? { contact } : {}),
        },
      });
      setSummary('');
      setFields(new Set());
      setConsumers(new Set());
      onRecorded(b);
    });
  };
  const consumerOrgs = organizations.data?.items.filter((o) => o.roles.includes('consumer')) ?? [];
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="breach-record-heading">
      <h2 id="breach-record-heading">{t('breach.record.title')}</h2>
      <div class="field">
        <label for="breach-summary">{t('breach.summary')}</label>
        <textarea
          id="breach-summary"
          rows={3}
          required
          maxLength={2000}
          value={summary}
          onInput={(e) => setSummary(e.currentTarget.value)}
          aria-describedby="breach-summary-hint"
        />
        <p id="breach-summary-hint" class="hint">
          {t('breach.summaryHint')}
        </p>
      </div>
      <div class="field">
        <label for="breach-detected">{t('breach.detectedAt')}</label>
        <input
          id="breach-detected"
          type="datetime-local"
          required
          value={detectedAt}
          onInput={(e) => setDetectedAt(e.currentTarget.value)}
          aria-describedby="breach-detected-hint"
        />
        <p id="breach-detected-hint" class="hint">
          {t('breach.detectedAtHint')}
        </p>
      </div>
      <div class="row">
        <div class="field">
          <label for="breach-from">{t('breach.windowFrom')}</label>
          <input id="breach-from" type="datetime-local" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="breach-to">{t('breach.windowTo')}</label>
          <input id="breach-to" type="datetime-local" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
      </div>
      <fieldset class="choices">
        <legend>{t('breach.consumers')}</legend>
        <ErrorNotice error={organizations.error} />
        {consumerOrgs.map((o) => (
          <label key={o.id} class="choice">
            <input type="checkbox" checked={consumers.has(o.id)} onChange={(e) => setConsumers(toggle(consumers, o.id, e.currentTarget.checked))} />
            <span>{o.name}</span>
          </label>
        ))}
      </fieldset>
      <fieldset class="choices">
        <legend>{t('breach.fields')}</legend>
        {vocabulary.data.categories.map((c) => (
          <div key={c.code} class="field-group">
            <p class="small">{label(c.labels, c.code)}</p>
            {c.fields.map((f) => {
              const path = `${c.code}.${f.name}`;
              return (
                <label key={path} class="choice">
                  <input type="checkbox" checked={fields.has(path)} onChange={(e) => setFields(toggle(fields, path, e.currentTarget.checked))} />
                  <span>{label(f.labels, f.name)}</span>
                </label>
              );
            })}
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for="breach-contact">{t('breach.contact')}</label>
        <input id="breach-contact" maxLength={500} value={contact} onInput={(e) => setContact(e.currentTarget.value)} />
      </div>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button type="submit" class="button primary" disabled={action.busy || consumers.size === 0 || fields.size === 0}>
          {t('breach.record.submit')}
        </button>
      </div>
    </form>
  );
}

function BreachCard({ breach: b, onClosed }: { breach: Breach; onClosed(): void }) {
  const { t, dateTime, plural } = useI18n();
  const fieldLabel = useFieldLabel();
  const headingId = `breach-${b.id}`;
  return (
    <article class="card" aria-labelledby={headingId}>
      <p class="eyebrow">{b.state === 'OPEN' ? t('breach.state.OPEN') : t('breach.state.CLOSED')}</p>
      <h3 id={headingId}>{b.summary}</h3>
      <BreachClock breach={b} />
      <dl class="facts">
        <div>
          <dt>{t('breach.detectedAt')}</dt>
          <dd>{dateTime(b.detectedAt)}</dd>
        </div>
        <div>
          <dt>{t('breach.affected')}</dt>
          <dd>{plural('breach.citizens', b.affectedSubjects)}</dd>
        </div>
        <div>
          <dt>{t('breach.fields')}</dt>
          <dd>{b.fields.map(fieldLabel).join('; ')}</dd>
        </div>
        <div>
          <dt>{t('breach.window')}</dt>
          <dd>{t('breach.windowValue', { from: dateTime(b.window.from), to: dateTime(b.window.to) })}</dd>
        </div>
        {b.authorityNotifiedAt && (
          <div>
            <dt>{t('breach.authorityNotifiedAt')}</dt>
            <dd>{dateTime(b.authorityNotifiedAt)}</dd>
          </div>
        )}
      </dl>
      <p>
        <a href={`/v1/breaches/${b.id}/authority-form?format=html`} target="_blank" rel="noopener">
          {t('breach.formHtml')}
        </a>{' '}
        ·{' '}
        <a href={`/v1/breaches/${b.id}/authority-form?format=json`} download={`breach-${b.id}.json`}>
          {t('breach.formJson')}
        </a>
      </p>
      {b.state === 'OPEN' && <CloseForm breach={b} onClosed={onClosed} />}
    </article>
  );
}

function CloseForm({ breach: b, onClosed }: { breach: Breach; onClosed(): void }) {
  const { t } = useI18n();
  const [notifiedAt, setNotifiedAt] = useState(localInput(new Date()));
  const [measures, setMeasures] = useState(b.measures);
  const [lateReason, setLateReason] = useState(b.lateReason);
  const action = useAction();
  const late = new Date(notifiedAt).getTime() > new Date(b.notifyDueAt).getTime();
  const submit = (event: Event): void => {
    event.preventDefault();
    void action.run(async () => {
      await call(`/v1/breaches/${b.id}/close`, { body: { authorityNotifiedAt: iso(notifiedAt), measures, ...(late ? { lateReason } : {}) } });
      onClosed();
    });
  };
  const id = (name: string): string => `close-${name}-${b.id}`;
  return (
    <form class="form" onSubmit={submit} aria-label={t('breach.close.title')}>
      <div class="field">
        <label for={id('notified')}>{t('breach.authorityNotifiedAt')}</label>
        <input id={id('notified')} type="datetime-local" required value={notifiedAt} onInput={(e) => setNotifiedAt(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={id('measures')}>{t('breach.measures')}</label>
        <textarea id={id('measures')} rows={2} required maxLength={4000} value={measures} onInput={(e) => setMeasures(e.currentTarget.value)} />
      </div>
      {late && (
        <div class="field">
          <label for={id('late')}>{t('breach.lateReason')}</label>
          <textarea id={id('late')} rows={2} required maxLength={2000} value={lateReason} onInput={(e) => setLateReason(e.currentTarget.value)} />
        </div>
      )}
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button type="submit" class="button secondary" disabled={action.busy}>
          {t('breach.close.submit')}
        </button>
      </div>
    </form>
  );
}
