import { useEffect, useState } from 'preact/hooks';
import { call } from '../api/client';
import { Page } from '../components/page';
import { useI18n } from '../i18n/i18n';
import { startSignIn } from '../session';

interface OrganizationChoice {
  organizationId: string;
  name: string;
}

/**
 * Signing in is OpenID Connect through the API (a backend-for-frontend): this page sends the
 * browser to the identity provider — VNeID in production, the development provider of the
 * embedded default — which sends it back signed in, with an HttpOnly session cookie.
 */
export function SignInPage({ expired, returnTo }: { expired: boolean; returnTo: string }) {
  const { t } = useI18n();
  const [organizations, setOrganizations] = useState<OrganizationChoice[]>([]);
  useEffect(() => {
    // Organisations whose staff sign in through their own identity provider; none is fine.
    call<{ items: OrganizationChoice[] }>('/auth/providers')
      .then((r) => setOrganizations(r.items))
      .catch(() => setOrganizations([]));
  }, []);
  return (
    <Page title={t('signIn.title')} intro={t('signIn.intro')}>
      {expired && (
        <div class="notice notice-info" role="status">
          {t('signIn.expired')}
        </div>
      )}
      <div class="card form">
        <p>{t('signIn.production')}</p>
        <div class="actions">
          <button type="button" class="button primary" onClick={() => startSignIn(returnTo === '/' ? '/' : returnTo)}>
            {t('signIn.submit')}
          </button>
        </div>
        <p class="hint">{t('signIn.devNote')}</p>
      </div>
      {organizations.length > 0 && (
        <section class="card form" aria-labelledby="organization-sign-in">
          <h2 id="organization-sign-in">{t('signIn.throughOrganization')}</h2>
          <ul class="plain">
            {organizations.map((o) => (
              <li key={o.organizationId}>
                <button type="button" class="button" onClick={() => startSignIn(returnTo === '/' ? '/' : returnTo, o.organizationId)}>
                  {t('signIn.withOrganization', { name: o.name })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Page>
  );
}
