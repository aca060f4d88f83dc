import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from './api/client';
import { Shell } from './components/shell';
import { createI18n, I18nContext, initialLocale, rememberLocale, type Locale } from './i18n/i18n';
import { navigate, usePath } from './router';
import { homeOf, loadSession, saveSession, SessionContext, type Session, type SessionApi } from './session';
import { Vocabulary, VocabularyContext, type VocabularyData } from './vocabulary';
import { routeFor } from './routes';
import { SignInPage } from './pages/sign-in';

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const [expired, setExpired] = useState(false);
  const [vocabulary, setVocabulary] = useState(Vocabulary.empty);
  const path = usePath();
  const i18n = useMemo(() => createI18n(locale), [locale]);

  useEffect(() => rememberLocale(locale), [locale]);
  useEffect(() => {
    call<VocabularyData>('/v1/vocabulary').then((data) => setVocabulary(new Vocabulary(data)), () => {});
  }, []);

  const sessionApi: SessionApi = useMemo(
    () => ({
      session,
      signIn(s) {
        saveSession(s);
        setExpired(false);
        setSession(s);
        navigate(homeOf(s.role), true);
      },
      signOut(becauseExpired = false) {
        saveSession(undefined);
        setExpired(becauseExpired);
        setSession(undefined);
        navigate('/', true);
      },
    }),
    [session],
  );

  const route = session ? routeFor(session.role, path) : undefined;
  useEffect(() => {
    if (session && !route) navigate(homeOf(session.role), true);
    if (!session && path !== '/') navigate('/', true);
  }, [session, route, path]);

  return (
    <I18nContext.Provider value={i18n}>
      <VocabularyContext.Provider value={vocabulary}>
        <SessionContext.Provider value={sessionApi}>
          <Shell locale={locale} onLocale={setLocale} path={path}>
            {session && route ? <route.page /> : <SignInPage expired={expired} />}
          </Shell>
        </SessionContext.Provider>
      </VocabularyContext.Provider>
    </I18nContext.Provider>
  );
}
