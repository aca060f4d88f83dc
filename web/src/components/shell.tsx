import type { ComponentChildren } from 'preact';
import { useI18n, type Locale } from '../i18n/i18n';
import { linkHandler } from '../router';
import { ROUTES } from '../routes';
import { useSession } from '../session';

/** Header (name, language, sign-out), the role's navigation, and the main landmark. */
export function Shell({ locale, onLocale, path, children }: { locale: Locale; onLocale(l: Locale): void; path: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const { session, signOut } = useSession();
  const other: Locale = locale === 'vi' ? 'en' : 'vi';
  return (
    <>
      <a class="skip-link" href="#main">
        {t('shell.skip')}
      </a>
      <header class="top">
        <div class="top-inner">
          <span class="brand">
            <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28">
              <rect width="32" height="32" rx="7" fill="#0b5cad" />
              <path d="M16 6l8 3v6c0 5-3.4 9.3-8 11-4.6-1.7-8-6-8-11V9z" fill="#fff" />
            </svg>
            {t('shell.brand')}
          </span>
          <div class="top-actions">
            {session && <span class="who">{session.name ?? t(`role.${session.role}` as const)}</span>}
            <button
              type="button"
              class="button link"
              lang={other}
              onClick={() => onLocale(other)}
              aria-label={other === 'en' ? 'English — switch language' : 'Tiếng Việt — đổi ngôn ngữ'}
            >
              {other === 'en' ? 'English' : 'Tiếng Việt'}
            </button>
            {session && (
              <button type="button" class="button link" onClick={() => signOut()}>
                {t('shell.signOut')}
              </button>
            )}
          </div>
        </div>
        {session && (
          <nav class="tabs" aria-label={t('shell.navigation')}>
            <ul>
              {ROUTES[session.role].map((r) => (
                <li key={r.path}>
                  <a href={r.path} onClick={linkHandler(r.path)} aria-current={path === r.path ? 'page' : undefined}>
                    {t(r.nav)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id="main" class="main">
        {children}
      </main>
      <footer class="foot">
        <p>{t('shell.footer')}</p>
      </footer>
    </>
  );
}
