import { call } from '../api/client';
import type { Consent } from '../api/types';
import { useI18n } from '../i18n/i18n';
import { useLoad } from './use-load';

/** One published version of a notice, as `/v1/notices/{kind}/{key}/{version}` answers. */
export interface NoticeVersion {
  kind: 'purpose' | 'field' | 'organization';
  key: string;
  version: number;
  text: { vi: string; en: string };
  textHash: string;
  rule: 'continue' | 'pause' | null;
  changeSummary: { vi: string; en: string } | null;
}

/** A consent a material notice change asks again: the request that asks, and what changed. */
export interface Reconsent {
  consentId: string;
  successorId: string | null;
  rule: 'continue' | 'pause';
  createdAt: string;
  changed: NoticeVersion[];
}

export function useReconsents() {
  return useLoad(() => call<{ items: Reconsent[] }>('/v1/me/reconsents'));
}

/**
 * The purpose's text and the organisation's own notice exactly as this request shows them: the
 * versions its signed artefact names by hash, fetched by number, never "the latest".
 */
export function ShownNotices({ consent }: { consent: Consent }) {
  const { t, label } = useI18n();
  const refs = (consent.notices ?? []).filter((n) => n.kind !== 'field');
  const texts = useLoad(
    () => Promise.all(refs.map((r) => call<NoticeVersion>(`/v1/notices/${r.kind}/${encodeURIComponent(r.key)}/${r.version}`))),
    [consent.id],
  );
  if (refs.length === 0 || !texts.data) return null;
  return (
    <details class="notice-texts">
      <summary>{t('notices.shown')}</summary>
      {texts.data.map((n) => (
        <section key={`${n.kind}-${n.key}`}>
          <h4 class="small-heading">{t(n.kind === 'purpose' ? 'notices.purposeText' : 'notices.organizationText', { version: n.version })}</h4>
          <p>{label(n.text, n.text.vi)}</p>
        </section>
      ))}
    </details>
  );
}

/** What a re-consent request is for: it replaces an earlier consent, because these notices changed. */
export function ReconsentReason({ reconsent }: { reconsent: Reconsent }) {
  const { t, label } = useI18n();
  return (
    <div class="notice notice-warning" role="note">
      <p>
        <strong>{t('notices.reconsentTitle')}</strong> {t(reconsent.rule === 'pause' ? 'notices.reconsentPaused' : 'notices.reconsentContinues')}
      </p>
      <ul>
        {reconsent.changed.map((n) => (
          <li key={`${n.kind}-${n.key}-${n.version}`}>
            {t(n.kind === 'purpose' ? 'notices.purposeText' : n.kind === 'organization' ? 'notices.organizationText' : 'notices.fieldText', {
              version: n.version,
            })}
            {n.changeSummary ? `: ${label(n.changeSummary, n.changeSummary.vi)}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
