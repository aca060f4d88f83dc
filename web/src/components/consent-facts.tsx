import type { Consent } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { useVocabulary } from '../vocabulary';

const DAY = 86_400_000;

/** Who, why, how long, how often, how long kept, abroad, passed on: the terms of a consent in plain words. */
export function ConsentFacts({ consent }: { consent: Consent }) {
  const i18n = useI18n();
  const { t, plural, date, label } = i18n;
  const vocabulary = useVocabulary();
  const purpose = vocabulary.purpose(consent.purpose);
  const days = Math.max(0, Math.ceil((Date.parse(consent.validUntil) - Date.now()) / DAY));
  return (
    <dl class="facts">
      <div>
        <dt>{t('consent.purpose')}</dt>
        <dd>
          <strong>{label(purpose?.labels, consent.purpose)}</strong>
          {purpose && <span class="block">{label(purpose.description, '')}</span>}
        </dd>
      </div>
      <div>
        <dt>{t('consent.justification')}</dt>
        <dd>
          <q>{consent.justification}</q>
        </dd>
      </div>
      <div>
        <dt>{t('consent.howLong')}</dt>
        <dd>
          {t('consent.until', { date: date(consent.validUntil) })}
          {consent.status === 'REQUESTED' || consent.status === 'ACTIVE' || consent.status === 'PAUSED' ? (
            <span class="muted"> ({plural('consent.daysLeft', days)})</span>
          ) : null}
        </dd>
      </div>
      <div>
        <dt>{t('consent.howOften')}</dt>
        <dd>
          {consent.mode === 'ONCE' || !consent.frequency
            ? t('consent.once')
            : plural(consent.frequency.per === 'DAY' ? 'consent.perDay' : 'consent.perMonth', consent.frequency.limit)}
        </dd>
      </div>
      <div>
        <dt>{t('consent.retention')}</dt>
        <dd>{consent.retentionDays === 0 ? t('consent.noRetention') : plural('consent.retentionDays', consent.retentionDays)}</dd>
      </div>
      <div>
        <dt>{t('consent.crossBorder')}</dt>
        <dd class={consent.crossBorder ? 'flag-yes' : undefined}>{consent.crossBorder ? t('consent.crossBorderYes') : t('consent.crossBorderNo')}</dd>
      </div>
      <div>
        <dt>{t('consent.onward')}</dt>
        <dd class={consent.onwardTransfer ? 'flag-yes' : undefined}>{consent.onwardTransfer ? t('consent.onwardYes') : t('consent.onwardNo')}</dd>
      </div>
    </dl>
  );
}
