import { useState } from 'preact/hooks';
import { ErrorNotice, SuccessNotice } from '../components/notices';
import { call } from '../api/client';
import { useAction, useLoad, type Loaded } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { registerPasskey, type DecisionAuthentication, type Passkey } from './device-decisions';

/** The citizen's passkeys: whether decisions are signed on the device. */
export function usePasskeys(): Loaded<{ items: Passkey[] }> {
  return useLoad(() => call<{ items: Passkey[] }>('/v1/me/passkeys'));
}

/** How each decision on the citizen's consents was authenticated, newest first. */
export function useDecisionAuthentications(): Loaded<{ items: DecisionAuthentication[] }> {
  return useLoad(() => call<{ items: DecisionAuthentication[] }>('/v1/me/consent-decisions'));
}

/**
 * Whether the citizen's decisions are signed by their device: if not, why a passkey helps and a
 * button to add one; if so, a line saying so.
 */
export function PasskeyPanel({ passkeys, onAdded }: { passkeys: Passkey[] | undefined; onAdded(): void }) {
  const { t } = useI18n();
  const action = useAction();
  const [added, setAdded] = useState(false);
  if (!passkeys) return null;
  const add = (): void =>
    void action.run(async () => {
      await registerPasskey();
      setAdded(true);
      onAdded();
    });
  return (
    <section class="card passkey-panel" aria-labelledby="passkey-heading">
      <h2 id="passkey-heading" class="small-heading">
        {t('passkeys.title')}
      </h2>
      {added && <SuccessNotice>{t('passkeys.added')}</SuccessNotice>}
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
        <p>{t('passkeys.active')}</p>
      )}
    </section>
  );
}
