import { Page } from '../components/page';
import { useI18n } from '../i18n/i18n';
import { startSignIn } from '../session';

/**
 * Signing in is OpenID Connect through the API (a backend-for-frontend): this page sends the
 * browser to the identity provider — VNeID in production, the development provider of the
 * embedded default — which sends it back signed in, with an HttpOnly session cookie.
 */
export function SignInPage({ expired, returnTo }: { expired: boolean; returnTo: string }) {
  const { t } = useI18n();
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
    </Page>
  );
}
