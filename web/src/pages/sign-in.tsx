import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client';
import { isMissingFeature } from '../api/error-messages';
import { ErrorNotice } from '../components/notices';
import { Page } from '../components/page';
import { useAction } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import { useSession, type Role } from '../session';

interface DevOrganization {
  id: string;
  name: string;
  roles: string[];
}
interface Token {
  access_token: string;
  expires_in: number;
}

const ROLES: Role[] = ['citizen', 'organization', 'auditor', 'operator'];

/**
 * Signing in through the development identity provider of the embedded default. In production a
 * citizen signs in with the national identity app (OIDC) and an organisation with its own
 * credentials; the API then does not offer `/dev/token`, and this page says so.
 */
export function SignInPage({ expired }: { expired: boolean }) {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [role, setRole] = useState<Role>('citizen');
  const [nationalId, setNationalId] = useState('');
  const [organizations, setOrganizations] = useState<DevOrganization[] | undefined>();
  const [organizationId, setOrganizationId] = useState('');
  const [noDevIdp, setNoDevIdp] = useState(false);
  const action = useAction();

  useEffect(() => {
    call<{ items: DevOrganization[] }>('/dev/organizations').then(
      (r) => {
        setOrganizations(r.items);
        setOrganizationId((id) => id || (r.items.find((o) => o.roles.includes('consumer')) ?? r.items[0])?.id || '');
      },
      (err: unknown) => setNoDevIdp(isMissingFeature(err)),
    );
  }, []);

  const submit = (event: Event): void => {
    event.preventDefault();
    void action.run(async () => {
      const body = role === 'citizen' ? { role, nationalId } : role === 'organization' ? { role, organizationId } : { role };
      const token = await call<Token>('/dev/token', { body });
      const name = role === 'organization' ? organizations?.find((o) => o.id === organizationId)?.name : undefined;
      signIn({ role, token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000, ...(name ? { name } : {}) });
    });
  };

  return (
    <Page title={t('signIn.title')} intro={t('signIn.intro')}>
      {expired && (
        <div class="notice notice-info" role="status">
          {t('signIn.expired')}
        </div>
      )}
      {noDevIdp ? (
        <div class="notice notice-info">{t('signIn.production')}</div>
      ) : (
        <form class="card form" onSubmit={submit}>
          <fieldset class="choices">
            <legend>{t('signIn.who')}</legend>
            {ROLES.map((r) => (
              <label key={r} class="choice">
                <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
                <span>
                  <strong>{t(`role.${r}` as const)}</strong>
                  <span class="muted block">{t(`signIn.roleHint.${r}` as const)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {role === 'citizen' && (
            <div class="field">
              <label for="national-id">{t('signIn.nationalId')}</label>
              <input
                id="national-id"
                name="nationalId"
                inputMode="numeric"
                autoComplete="off"
                pattern="[0-9]{12}"
                maxLength={12}
                required
                aria-describedby="national-id-hint"
                value={nationalId}
                onInput={(e) => setNationalId(e.currentTarget.value.trim())}
              />
              <p id="national-id-hint" class="hint">
                {t('signIn.nationalIdHint')}
              </p>
            </div>
          )}
          {role === 'organization' && (
            <div class="field">
              <label for="organization">{t('signIn.organization')}</label>
              <select id="organization" required value={organizationId} onChange={(e) => setOrganizationId(e.currentTarget.value)}>
                {(organizations ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
              <p class="hint">{t('signIn.organizationHint')}</p>
            </div>
          )}
          <ErrorNotice error={action.error} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={action.busy}>
              {t('signIn.submit')}
            </button>
          </div>
          <p class="hint">{t('signIn.devNote')}</p>
        </form>
      )}
    </Page>
  );
}
