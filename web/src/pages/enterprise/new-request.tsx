import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { Consent } from '../../api/types';
import { SensitiveMark } from '../../components/field-name';
import { ErrorNotice, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';

const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Ask a citizen for consent: purpose and fields from the published vocabulary, and the terms. */
export function NewRequestPage() {
  const { t, label } = useI18n();
  const vocabulary = useVocabulary();
  const [nationalId, setNationalId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [fields, setFields] = useState<Set<string>>(new Set());
  const [mode, setMode] = useState<'ONCE' | 'PERIODIC'>('ONCE');
  const [limit, setLimit] = useState(1);
  const [per, setPer] = useState<'DAY' | 'MONTH'>('MONTH');
  const [validUntil, setValidUntil] = useState(inDays(90));
  const [retentionDays, setRetentionDays] = useState(30);
  const [justification, setJustification] = useState('');
  const [crossBorder, setCrossBorder] = useState(false);
  const [onwardTransfer, setOnwardTransfer] = useState(false);
  const [missingFields, setMissingFields] = useState(false);
  const [created, setCreated] = useState<Consent | undefined>();
  const action = useAction();
  const chosenPurpose = vocabulary.purpose(purpose);

  const toggle = (path: string, on: boolean): void => {
    const next = new Set(fields);
    if (on) next.add(path);
    else next.delete(path);
    setFields(next);
    if (next.size > 0) setMissingFields(false);
  };
  const submit = (event: Event): void => {
    event.preventDefault();
    if (fields.size === 0) {
      setMissingFields(true);
      document.getElementById('fields-legend')?.scrollIntoView({ block: 'center' });
      return;
    }
    setCreated(undefined);
    void action.run(async () => {
      const consent = await call<Consent>('/v1/consents', {
        body: {
          subject: { nationalId },
          purpose,
          fields: [...fields],
          mode,
          ...(mode === 'PERIODIC' ? { frequency: { limit, per } } : {}),
          validUntil: new Date(`${validUntil}T23:59:59+07:00`).toISOString(),
          retentionDays,
          justification,
          crossBorder,
          onwardTransfer,
        },
      });
      setCreated(consent);
      setFields(new Set());
      setJustification('');
      setNationalId('');
    });
  };

  return (
    <Page title={t('newRequest.title')} intro={t('newRequest.intro')}>
      <SuccessNotice>{created && t('newRequest.created', { id: created.id })}</SuccessNotice>
      <form class="card form" onSubmit={submit}>
        <div class="field">
          <label for="nr-subject">{t('newRequest.subject')}</label>
          <input
            id="nr-subject"
            inputMode="numeric"
            pattern="[0-9]{12}"
            maxLength={12}
            required
            autoComplete="off"
            aria-describedby="nr-subject-hint"
            value={nationalId}
            onInput={(e) => setNationalId(e.currentTarget.value.trim())}
          />
          <p id="nr-subject-hint" class="hint">
            {t('newRequest.subjectHint')}
          </p>
        </div>
        <div class="field">
          <label for="nr-purpose">{t('newRequest.purpose')}</label>
          <select id="nr-purpose" required value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)} aria-describedby="nr-purpose-desc">
            <option value="">{t('newRequest.choosePurpose')}</option>
            {vocabulary.data.purposes.map((p) => (
              <option key={p.code} value={p.code}>
                {label(p.labels, p.code)}
              </option>
            ))}
          </select>
          <p id="nr-purpose-desc" class="hint">
            {chosenPurpose ? label(chosenPurpose.description, '') : ''}
          </p>
        </div>
        <fieldset class="fields" aria-describedby={missingFields ? 'nr-fields-error' : undefined}>
          <legend id="fields-legend">{t('newRequest.fields')}</legend>
          {missingFields && (
            <p id="nr-fields-error" class="notice notice-error" role="alert">
              {t('newRequest.fieldsRequired')}
            </p>
          )}
          {vocabulary.data.categories.map((c) => (
            <div key={c.code} class="field-group">
              <p class="small-heading">{label(c.labels, c.code)}</p>
              <ul>
                {c.fields.map((f) => {
                  const path = `${c.code}.${f.name}`;
                  const id = `nr-f-${path}`;
                  return (
                    <li key={path} class="field-row">
                      <input type="checkbox" id={id} checked={fields.has(path)} onChange={(e) => toggle(path, e.currentTarget.checked)} />
                      <label for={id}>
                        {label(f.labels, f.name)} {f.sensitive && <SensitiveMark />}
                      </label>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </fieldset>
        <fieldset class="choices">
          <legend>{t('newRequest.mode')}</legend>
          <label class="choice">
            <input type="radio" name="mode" checked={mode === 'ONCE'} onChange={() => setMode('ONCE')} />
            <span>{t('consent.once')}</span>
          </label>
          <label class="choice">
            <input type="radio" name="mode" checked={mode === 'PERIODIC'} onChange={() => setMode('PERIODIC')} />
            <span>{t('newRequest.periodic')}</span>
          </label>
          {mode === 'PERIODIC' && (
            <div class="row">
              <div class="field">
                <label for="nr-limit">{t('newRequest.limit')}</label>
                <input id="nr-limit" type="number" min={1} max={100000} required value={limit} onInput={(e) => setLimit(Number(e.currentTarget.value))} />
              </div>
              <div class="field">
                <label for="nr-per">{t('newRequest.per')}</label>
                <select id="nr-per" value={per} onChange={(e) => setPer(e.currentTarget.value === 'DAY' ? 'DAY' : 'MONTH')}>
                  <option value="DAY">{t('newRequest.perDay')}</option>
                  <option value="MONTH">{t('newRequest.perMonth')}</option>
                </select>
              </div>
            </div>
          )}
        </fieldset>
        <div class="row">
          <div class="field">
            <label for="nr-until">{t('newRequest.validUntil')}</label>
            <input id="nr-until" type="date" required min={inDays(1)} value={validUntil} onInput={(e) => setValidUntil(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="nr-retention">{t('newRequest.retentionDays')}</label>
            <input
              id="nr-retention"
              type="number"
              min={0}
              max={3650}
              required
              value={retentionDays}
              onInput={(e) => setRetentionDays(Number(e.currentTarget.value))}
            />
          </div>
        </div>
        <div class="field">
          <label for="nr-why">{t('newRequest.justification')}</label>
          <textarea
            id="nr-why"
            required
            minLength={10}
            maxLength={2000}
            rows={3}
            aria-describedby="nr-why-hint"
            value={justification}
            onInput={(e) => setJustification(e.currentTarget.value)}
          />
          <p id="nr-why-hint" class="hint">
            {t('newRequest.justificationHint')}
          </p>
        </div>
        <div class="field-row">
          <input type="checkbox" id="nr-cross" checked={crossBorder} onChange={(e) => setCrossBorder(e.currentTarget.checked)} />
          <label for="nr-cross">{t('newRequest.crossBorder')}</label>
        </div>
        <div class="field-row">
          <input type="checkbox" id="nr-onward" checked={onwardTransfer} onChange={(e) => setOnwardTransfer(e.currentTarget.checked)} />
          <label for="nr-onward">{t('newRequest.onward')}</label>
        </div>
        <ErrorNotice error={action.error} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={action.busy}>
            {t('newRequest.submit')}
          </button>
        </div>
      </form>
    </Page>
  );
}
