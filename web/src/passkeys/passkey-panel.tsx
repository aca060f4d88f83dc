import { useState } from 'preact/hooks';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog';
import { ErrorNotice, SuccessNotice } from '../components/notices';
import { call } from '../api/client';
import { useAction, useLoad, type Loaded } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { registerPasskey, removePasskey, type DecisionAuthentication, type Passkey } from './device-decisions';

/** The citizen's passkeys: whether decisions are signed on the device. */
export function usePasskeys(): Loaded<{ items: Passkey[] }> {
  return useLoad(() => call<{ items: Passkey[] }>('/v1/me/passkeys'));
}

/** How each decision on the citizen's consents was authenticated, newest first. */
export function useDecisionAuthentications(): Loaded<{ items: DecisionAuthentication[] }> {
  return useLoad(() => call<{ items: DecisionAuthentication[] }>('/v1/me/consent-decisions'));
}

/** A passkey's short fingerprint (the start of its public key's hash), so the citizen can tell two apart. */
const fingerprint = (p: Passkey): string => p.publicKeyHash.slice(0, 8).toUpperCase();

/**
 * Whether the citizen's decisions are signed by their device: if not, why a passkey helps and a
 * button to add one; if so, a line saying so and each passkey (added, last used), which the citizen
 * can remove after confirming. `onChange` reloads the list after an addition or a removal.
 */
export function PasskeyPanel({ passkeys, onChange }: { passkeys: Passkey[] | undefined; onChange(): void }) {
  const { t, dateTime } = useI18n();
  const action = useAction();
  const [done, setDone] = useState<'added' | 'removed' | undefined>();
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  if (!passkeys) return null;
  const add = (): void =>
    void action.run(async () => {
      await registerPasskey();
      setDone('added');
      onChange();
    });
  const remove = (passkey: Passkey): void =>
    setConfirm({
      title: t('passkeys.removeTitle'),
      body: t('passkeys.removeBody', { name: t('passkeys.name', { fingerprint: fingerprint(passkey) }) }),
      confirmLabel: t('passkeys.remove'),
      danger: true,
      onConfirm: () =>
        void action.run(async () => {
          await removePasskey(passkey.id);
          setDone('removed');
          onChange();
        }),
    });
  return (
    <section class="card passkey-panel" aria-labelledby="passkey-heading">
      <h2 id="passkey-heading" class="small-heading">
        {t('passkeys.title')}
      </h2>
      {done && <SuccessNotice>{t(done === 'added' ? 'passkeys.added' : 'passkeys.removed')}</SuccessNotice>}
      {passkeys.length === 0 ? (
        <>
          <p class="notice notice-warning">{t('passkeys.encourage')}</p>
          <ErrorNotice error={action.error} />
          <div class="actions">
            <button type="button" class="button primary" disabled={action.busy} onClick={add}>
              {t('passkeys.add')}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>{t('passkeys.active')}</p>
          <ErrorNotice error={action.error} />
          <ul class="plain" aria-label={t('passkeys.list')}>
            {passkeys.map((p) => (
              <li key={p.id} class="row" aria-label={t('passkeys.name', { fingerprint: fingerprint(p) })}>
                <span>
                  <strong>{t('passkeys.name', { fingerprint: fingerprint(p) })}</strong>
                  <span class="hint block">
                    {t('passkeys.createdAt', { at: dateTime(p.createdAt) })} ·{' '}
                    {p.lastUsedAt ? t('passkeys.lastUsedAt', { at: dateTime(p.lastUsedAt) }) : t('passkeys.neverUsed')}
                  </span>
                </span>
                <button type="button" class="button secondary small" disabled={action.busy} onClick={() => remove(p)}>
                  {t('passkeys.remove')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </section>
  );
}
