import { useState } from 'preact/hooks';
import { call, download, send } from '../../api/client';
import type { Consent, ConsentStatus } from '../../api/types';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { ConsentFacts } from '../../components/consent-facts';
import { SensitiveMark, useFieldLabel, usePurposeLabel } from '../../components/field-name';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { StatusBadge } from '../../components/status-badge';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { useVocabulary } from '../../vocabulary';
import { decide as decideConsent, evidenceFile, type DecisionAuthentication } from '../../passkeys/device-decisions';
import { PasskeyPanel, useDecisionAuthentications, usePasskeys } from '../../passkeys/passkey-panel';
import { ReconsentReason, ShownNotices, useReconsents, type Reconsent } from '../../components/notice-texts';

const GROUPS: { key: MessageKey; statuses: ConsentStatus[] }[] = [
  { key: 'consents.active', statuses: ['ACTIVE'] },
  { key: 'consents.paused', statuses: ['PAUSED'] },
  { key: 'consents.past', statuses: ['REVOKED', 'EXPIRED', 'REJECTED'] },
];

/** The citizen's consents: active, paused and past; pause, resume, revoke, and the signed artefact. */
export function ConsentsPage() {
  const { t } = useI18n();
  const consents = useLoad(() => call<{ items: Consent[] }>('/v1/me/consents'));
  const passkeys = usePasskeys();
  const decisions = useDecisionAuthentications();
  const reconsents = useReconsents();
  const withPasskey = (passkeys.data?.items.length ?? 0) > 0;
  const [done, setDone] = useState('');
  const items = consents.data?.items ?? [];
  return (
    <Page title={t('consents.title')} intro={t('consents.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <PasskeyPanel passkeys={passkeys.data?.items} onChange={passkeys.reload} />
      <ErrorNotice error={consents.error} />
      {consents.loading && !consents.data && <Loading />}
      {GROUPS.map((group) => {
        const inGroup = items.filter((c) => group.statuses.includes(c.status));
        return (
          <section key={group.key} class="group" aria-labelledby={`h-${group.key}`}>
            <h2 id={`h-${group.key}`}>
              {t(group.key)} <span class="count">({inGroup.length})</span>
            </h2>
            {consents.data && inGroup.length === 0 && <Empty>{t('consents.noneInGroup')}</Empty>}
            <div class="stack">
              {inGroup.map((c) => (
                <ConsentCard
                  key={c.id}
                  consent={c}
                  withPasskey={withPasskey}
                  lastDecision={decisions.data?.items.find((d) => d.consentId === c.id)}
                  reconsent={reconsents.data?.items.find((r) => r.consentId === c.id)}
                  onChanged={(message) => {
                    setDone(message);
                    consents.reload();
                    decisions.reload();
                    reconsents.reload();
                  }}
                />
              ))}
            </div>
          </section>
        );
      })}
    </Page>
  );
}

function ConsentCard({
  consent,
  withPasskey,
  lastDecision,
  reconsent,
  onChanged,
}: {
  consent: Consent;
  withPasskey: boolean;
  lastDecision: DecisionAuthentication | undefined;
  reconsent: Reconsent | undefined;
  onChanged(message: string): void;
}) {
  const { t, date } = useI18n();
  const vocabulary = useVocabulary();
  const fieldLabel = useFieldLabel();
  const purposeLabel = usePurposeLabel();
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const action = useAction();
  const who = consent.consumer.name;
  const headingId = `consent-${consent.id}`;

  const decide = (verb: 'pause' | 'resume' | 'revoke', message: string) => () =>
    void action.run(async () => {
      await decideConsent(consent.id, verb, { withPasskey });
      onChanged(message);
    });
  const ask = (verb: 'pause' | 'resume' | 'revoke'): void => {
    const texts = {
      pause: {
        title: t('consents.pauseTitle'),
        body: t('consents.pauseBody', { who }),
        confirmLabel: t('consents.pause'),
        done: t('consents.paused.done', { who }),
      },
      resume: {
        title: t('consents.resumeTitle'),
        body: t('consents.resumeBody', { who }),
        confirmLabel: t('consents.resume'),
        done: t('consents.resumed.done', { who }),
      },
      revoke: {
        title: t('consents.revokeTitle'),
        body: t('consents.revokeBody', { who }),
        confirmLabel: t('consents.revoke'),
        done: t('consents.revoked.done', { who }),
      },
    }[verb];
    setConfirm({ title: texts.title, body: texts.body, confirmLabel: texts.confirmLabel, danger: verb === 'revoke', onConfirm: decide(verb, texts.done) });
  };
  const artefact = (): void =>
    void action.run(async () => {
      const res = await send(`/v1/consents/${consent.id}/artefact`, { accept: 'application/jose' });
      await download(res, `consent-${consent.id}.jws`);
    });
  const evidence = (): void =>
    void action.run(async () => {
      await download(await evidenceFile(consent.id), `consent-evidence-${consent.id}.json`);
    });

  const fields = consent.status === 'REQUESTED' || consent.status === 'REJECTED' ? consent.requestedFields : consent.grantedFields;
  return (
    <article class="card" aria-labelledby={headingId}>
      <div class="card-head">
        <h3 id={headingId}>{who}</h3>
        <StatusBadge status={consent.status} />
      </div>
      <p class="lead">
        {purposeLabel(consent.purpose)}
        {(consent.status === 'ACTIVE' || consent.status === 'PAUSED') && <span class="muted"> · {t('consent.until', { date: date(consent.validUntil) })}</span>}
      </p>
      {lastDecision && (
        <p class={lastDecision.method === 'passkey' ? 'muted' : 'notice notice-warning'}>
          {lastDecision.method === 'passkey' ? t('passkeys.signedByDevice') : t('passkeys.sessionAuthenticated')}
        </p>
      )}
      {reconsent && (
        <>
          <ReconsentReason reconsent={reconsent} />
          <p class="hint">{t('notices.answerIt')}</p>
        </>
      )}
      <details>
        <summary>{t('consents.details')}</summary>
        <ConsentFacts consent={consent} />
        <ShownNotices consent={consent} />
        {consent.decidedAt && <p class="muted">{t('consents.decidedAt', { date: date(consent.decidedAt) })}</p>}
      </details>
      <h4 class="small-heading">{consent.status === 'REJECTED' ? t('consents.fieldsAsked') : t('consents.fieldsGranted')}</h4>
      <ul class="chips">
        {fields.map((f) => (
          <li key={f}>
            {fieldLabel(f)} {vocabulary.isSensitive(f) && <SensitiveMark />}
          </li>
        ))}
      </ul>
      <ErrorNotice error={action.error} />
      <div class="actions">
        {consent.status === 'ACTIVE' && (
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => ask('pause')}>
            {t('consents.pause')}
          </button>
        )}
        {consent.status === 'PAUSED' && (
          <button type="button" class="button secondary" disabled={action.busy} onClick={() => ask('resume')}>
            {t('consents.resume')}
          </button>
        )}
        {(consent.status === 'ACTIVE' || consent.status === 'PAUSED') && (
          <button type="button" class="button danger" disabled={action.busy} onClick={() => ask('revoke')}>
            {t('consents.revoke')}
          </button>
        )}
        <button type="button" class="button link" disabled={action.busy} onClick={artefact}>
          {t('consents.artefact')}
        </button>
        {lastDecision?.method === 'passkey' && (
          <button type="button" class="button link" disabled={action.busy} onClick={evidence}>
            {t('passkeys.evidence')}
          </button>
        )}
      </div>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </article>
  );
}
