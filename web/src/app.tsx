import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from './api/client';
import { Shell } from './components/shell';
import { createI18n, I18nContext, initialLocale, rememberLocale, type Locale } from './i18n/i18n';
import { navigate, usePath } from './router';
import { endSession, homeOf, loadSession, SessionContext, type Session, type SessionApi } from './session';
import { Vocabulary, VocabularyContext, type VocabularyData } from './vocabulary';
import { routeFor } from './routes';
import { SignInPage } from './pages/sign-in';

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  // undefined while the API is asked; null when no one is signed in.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [vocabulary, setVocabulary] = useState(Vocabulary.empty);
  const path = usePath();
  const i18n = useMemo(() => createI18n(locale), [locale]);

  useEffect(() => rememberLocale(locale), [locale]);
  useEffect(() => {
    loadSession().then(
      (s) => setSession(s ?? null),
      () => setSession(null),
    );
  }, []);
  useEffect(() => {
    call<VocabularyData>('/v1/vocabulary').then(
      (data) => setVocabulary(new Vocabulary(data)),
      () => {},
    );
  }, []);

  const sessionApi: SessionApi = useMemo(
    () => ({
      session: session ?? undefined,
      signOut(becauseExpired = false) {
        // An expired session is already gone on the API; otherwise ask the API to end it.
        void (becauseExpired ? Promise.resolve() : endSession()).then(() => {
          setExpired(becauseExpired);
          setSession(null);
          navigate('/', true);
        });
      },
    }),
    [session],
  );

  const route = session ? routeFor(session.role, path) : undefined;
  useEffect(() => {
    if (session && !route) navigate(homeOf(session.role), true);
    // Signed out on a deep link: the sign-in page, which comes back here afterwards.
  }, [session, route, path]);

  return (
    <I18nContext.Provider value={i18n}>
      <VocabularyContext.Provider value={vocabulary}>
        <SessionContext.Provider value={sessionApi}>
          <Shell locale={locale} onLocale={setLocale} path={path}>
            {session === undefined ? null : session && route ? <route.page /> : <SignInPage expired={expired} returnTo={path} />}
          </Shell>
        </SessionContext.Provider>
      </VocabularyContext.Provider>
    </I18nContext.Provider>
  );
}
