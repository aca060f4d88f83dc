import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { Consent } from '../../api/types';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { ConsentFacts } from '../../components/consent-facts';
import { SensitiveMark, useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';
import { decide } from '../../passkeys/device-decisions';
import { PasskeyPanel, usePasskeys } from '../../passkeys/passkey-panel';
import { ReconsentReason, ShownNotices, useReconsents, type Reconsent } from '../../components/notice-texts';

/** Requests waiting for the citizen's answer: all, part, or no. */
export function RequestsPage() {
  const { t } = useI18n();
  const requests = useLoad(() => call<{ items: Consent[] }>('/v1/me/consents?status=REQUESTED'));
  const passkeys = usePasskeys();
  const reconsents = useReconsents();
  const withPasskey = (passkeys.data?.items.length ?? 0) > 0;
  const [done, setDone] = useState('');
  return (
    <Page title={t('requests.title')} intro={t('requests.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <PasskeyPanel passkeys={passkeys.data?.items} onChange={passkeys.reload} />
      <ErrorNotice error={requests.error} />
      {requests.loading && !requests.data && <Loading />}
      {requests.data?.items.length === 0 && <Empty>{t('requests.none')}</Empty>}
      <div class="stack">
        {requests.data?.items.map((c) => (
          <RequestCard
            key={c.id}
            consent={c}
            withPasskey={withPasskey}
            reconsent={reconsents.data?.items.find((r) => r.successorId === c.id)}
            onDecided={(message) => {
              setDone(message);
              requests.reload();
              reconsents.reload();
            }}
          />
        ))}
      </div>
    </Page>
  );
}

function RequestCard({
  consent,
  withPasskey,
  reconsent,
  onDecided,
}: {
  consent: Consent;
  withPasskey: boolean;
  reconsent: Reconsent | undefined;
  onDecided(message: string): void;
}) {
  const { t, plural } = useI18n();
  const vocabulary = useVocabulary();
  const fieldLabel = useFieldLabel();
  const purposeLabel = usePurposeLabel();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(consent.requestedFields));
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const action = useAction();
  const anySensitive = consent.requestedFields.some((f) => vocabulary.isSensitive(f));
  const all = chosen.size === consent.requestedFields.length;
  const headingId = `request-${consent.id}`;
  const noteId = `sensitive-note-${consent.id}`;

  const toggle = (field: string, on: boolean): void => {
    const next = new Set(chosen);
    if (on) next.add(field);
    else next.delete(field);
    setChosen(next);
  };
  const approve = (): void => {
    const fields = consent.requestedFields.filter((f) => chosen.has(f));
    void action.run(async () => {
      await decide(consent.id, 'approve', { withPasskey, ...(all ? {} : { fields }) });
      onDecided(
        all ? t('requests.approvedAll', { who: consent.consumer.name }) : t('requests.approvedSome', { who: consent.consumer.name, count: fields.length }),
      );
    });
  };
  const reject = (): void =>
    setConfirm({
      title: t('requests.rejectTitle'),
      body: t('requests.rejectBody', { who: consent.consumer.name }),
      confirmLabel: t('requests.reject'),
      danger: true,
      onConfirm: () =>
        void action.run(async () => {
          await decide(consent.id, 'reject', { withPasskey });
          onDecided(t('requests.rejected', { who: consent.consumer.name }));
        }),
    });

  return (
    <article class="card" aria-labelledby={headingId}>
      <p class="eyebrow">{t('requests.asking')}</p>
      <h2 id={headingId}>{consent.consumer.name}</h2>
      <p class="lead">{t('requests.wants', { purpose: purposeLabel(consent.purpose).toLocaleLowerCase() })}</p>
      {consent.supersedes && (
        <>
          {reconsent && <ReconsentReason reconsent={reconsent} />}
          <p class="hint">{t('notices.replaces')}</p>
        </>
      )}
      <ConsentFacts consent={consent} />
      <ShownNotices consent={consent} />
      <fieldset class="fields">
        <legend>{t('requests.fieldsLegend', { count: consent.requestedFields.length })}</legend>
        <p class="hint">{t('requests.fieldsHint')}</p>
        <ul>
          {consent.requestedFields.map((field) => {
            const id = `f-${consent.id}-${field}`;
            const sensitive = vocabulary.isSensitive(field);
            return (
              <li key={field} class={sensitive ? 'field-row sensitive' : 'field-row'}>
                <input
                  type="checkbox"
                  id={id}
                  checked={chosen.has(field)}
                  onChange={(e) => toggle(field, e.currentTarget.checked)}
                  aria-describedby={sensitive ? noteId : undefined}
                />
                <label for={id}>
                  {fieldLabel(field)} {sensitive && <SensitiveMark />}
                </label>
              </li>
            );
          })}
        </ul>
        {anySensitive && (
          <p id={noteId} class="notice notice-warning">
            {t('requests.sensitiveNote')}
          </p>
        )}
      </fieldset>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button type="button" class="button primary" disabled={action.busy || chosen.size === 0} onClick={approve}>
          {all ? t('requests.approveAll') : plural('requests.approveSome', chosen.size)}
        </button>
        <button type="button" class="button secondary" disabled={action.busy} onClick={reject}>
          {t('requests.reject')}
        </button>
      </div>
      {chosen.size === 0 && <p class="hint">{t('requests.noneChosen')}</p>}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </article>
  );
}
