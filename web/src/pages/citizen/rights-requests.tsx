import { useState } from 'preact/hooks';
import { call, download, send } from '../../api/client';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { SensitiveMark } from '../../components/field-name';
import { Empty, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';
import { dayInWords } from '../../rights/deadline-words';
import { ClockBadges, DeadlineFacts, FieldChips, RightsError, StateBadge, StepHistory } from '../../rights/request-view';
import { isOpen, REQUEST_KINDS, type RequestKind, type RightsRequest } from '../../rights/types';
import { useVocabulary } from '../../vocabulary';

/** Kinds whose effect cannot be taken back: the citizen confirms them first. */
const needsConfirmation = (kind: RequestKind): kind is 'ERASE' | 'WITHDRAW_ALL' => kind === 'ERASE' || kind === 'WITHDRAW_ALL';

/** The citizen's data-subject requests: file one of each kind, follow its deadlines and steps, download what it produced. */
export function RightsRequestsPage() {
  const { t, locale } = useI18n();
  const requests = useLoad(() => call<{ items: RightsRequest[] }>('/v1/me/rights-requests'));
  const [done, setDone] = useState('');
  const now = new Date();
  const items = requests.data?.items ?? [];
  return (
    <Page title={t('rights.title')} intro={t('rights.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <FileRequestForm
        openKinds={new Set(items.filter(isOpen).map((r) => r.kind))}
        onFiled={(filed) => {
          setDone(t('rights.filed', { kind: t(`rights.kind.${filed.kind}` as const), day: dayInWords(locale, filed.replyDueAt, new Date()) }));
          requests.reload();
        }}
      />
      <section class="group" aria-labelledby="h-my-rights-requests">
        <h2 id="h-my-rights-requests">
          {t('rights.mine')} <span class="count">({items.length})</span>
        </h2>
        <RightsError error={requests.error} />
        {requests.loading && !requests.data && <Loading />}
        {requests.data && items.length === 0 && <Empty>{t('rights.none')}</Empty>}
        <div class="stack">
          {items.map((r) => (
            <RequestCard key={r.id} request={r} now={now} />
          ))}
        </div>
      </section>
    </Page>
  );
}

function FileRequestForm({ openKinds, onFiled }: { openKinds: ReadonlySet<RequestKind>; onFiled(filed: RightsRequest): void }) {
  const { t, label } = useI18n();
  const vocabulary = useVocabulary();
  const [kind, setKind] = useState<RequestKind | undefined>();
  const [fields, setFields] = useState<Set<string>>(new Set());
  const [missing, setMissing] = useState<'kind' | 'fields' | undefined>();
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const action = useAction();

  const toggle = (path: string, on: boolean): void => {
    const next = new Set(fields);
    if (on) next.add(path);
    else next.delete(path);
    setFields(next);
  };
  const fileRequest = (chosen: RequestKind): void =>
    void action.run(async () => {
      const body = chosen === 'RECTIFY' ? { kind: chosen, fields: [...fields] } : { kind: chosen };
      const filed = await call<RightsRequest>('/v1/me/rights-requests', { body });
      setKind(undefined);
      setFields(new Set());
      onFiled(filed);
    });
  const submit = (event: Event): void => {
    event.preventDefault();
    if (!kind) return setMissing('kind');
    if (kind === 'RECTIFY' && fields.size === 0) return setMissing('fields');
    setMissing(undefined);
    if (needsConfirmation(kind)) {
      setConfirm({
        title: t(`rights.confirm.${kind}.title` as const),
        body: t(`rights.confirm.${kind}.body` as const),
        confirmLabel: t('rights.file'),
        danger: true,
        onConfirm: () => fileRequest(kind),
      });
    } else fileRequest(kind);
  };

  return (
    <section class="card" aria-labelledby="h-new-rights-request">
      <h2 id="h-new-rights-request">{t('rights.new')}</h2>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class="choices" aria-describedby={missing === 'kind' ? 'rr-kind-error' : undefined}>
          <legend>{t('rights.chooseKind')}</legend>
          {missing === 'kind' && (
            <p id="rr-kind-error" class="notice notice-error" role="alert">
              {t('rights.kindRequired')}
            </p>
          )}
          {REQUEST_KINDS.map((k) => {
            const id = `rr-kind-${k}`;
            return (
              <div key={k} class="choice">
                <input type="radio" id={id} name="rr-kind" value={k} checked={kind === k} onChange={() => setKind(k)} aria-describedby={`${id}-desc`} />
                <div>
                  <label for={id}>
                    <strong>{t(`rights.kind.${k}` as const)}</strong>
                  </label>
                  <p id={`${id}-desc`} class="hint">
                    {t(`rights.explain.${k}` as const)}
                    {openKinds.has(k) && ` ${t('rights.alreadyOpen')}`}
                  </p>
                </div>
              </div>
            );
          })}
        </fieldset>
        {kind === 'RECTIFY' && (
          <fieldset class="fields" aria-describedby={missing === 'fields' ? 'rr-fields-error' : 'rr-fields-hint'}>
            <legend>{t('rights.chooseFields')}</legend>
            <p id="rr-fields-hint" class="hint">
              {t('rights.chooseFieldsHint')}
            </p>
            {missing === 'fields' && (
              <p id="rr-fields-error" class="notice notice-error" role="alert">
                {t('rights.fieldsRequired')}
              </p>
            )}
            {vocabulary.data.categories.map((c) => (
              <div key={c.code} class="field-group">
                <p class="small-heading">{label(c.labels, c.code)}</p>
                <ul>
                  {c.fields.map((f) => {
                    const path = `${c.code}.${f.name}`;
                    const id = `rr-f-${path}`;
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
        )}
        <RightsError error={action.error} />
        <div class="actions">
          <button type="submit" class="button primary" disabled={action.busy}>
            {t('rights.file')}
          </button>
        </div>
      </form>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}

function RequestCard({ request, now }: { request: RightsRequest; now: Date }) {
  const { t } = useI18n();
  const headingId = `rr-${request.id}`;
  const base = `/v1/me/rights-requests/${request.id}`;
  const completed = request.state === 'COMPLETED';
  const files = useAction();
  // What a completed request produced, saved as a file; a refusal (not ready yet, say) is shown in words.
  const save = (path: string, accept: string, filename: string): void =>
    void files.run(async () => {
      await download(await send(path, { accept }), filename);
    });
  return (
    <article class="card" aria-labelledby={headingId}>
      <div class="card-head">
        <h3 id={headingId}>{t(`rights.kind.${request.kind}` as const)}</h3>
        <span>
          <StateBadge state={request.state} /> <ClockBadges request={request} />
        </span>
      </div>
      <p class="muted">{t('rights.reference', { id: request.id.slice(-8) })}</p>
      {request.kind !== 'EXPORT' && request.kind !== 'WITHDRAW_ALL' && <FieldChips fields={request.fields} />}
      <DeadlineFacts request={request} now={now} />
      {completed && (request.kind === 'EXPORT' || request.kind === 'ERASE') && (
        <div class="actions">
          {request.kind === 'EXPORT' && (
            <>
              <button
                type="button"
                class="button secondary"
                disabled={files.busy}
                onClick={() => save(`${base}/export?format=json`, 'application/json', `export-${request.id}.json`)}
              >
                {t('rights.download.json')}
              </button>
              <button
                type="button"
                class="button secondary"
                disabled={files.busy}
                onClick={() => save(`${base}/export?format=html`, 'text/html', `export-${request.id}.html`)}
              >
                {t('rights.download.html')}
              </button>
            </>
          )}
          {request.kind === 'ERASE' && (
            <button
              type="button"
              class="button secondary"
              disabled={files.busy}
              onClick={() => save(`${base}/certificate`, 'application/json', `erasure-certificate-${request.id}.json`)}
            >
              {t('rights.download.certificate')}
            </button>
          )}
        </div>
      )}
      <RightsError error={files.error} />
      <StepHistory path={base} />
    </article>
  );
}
