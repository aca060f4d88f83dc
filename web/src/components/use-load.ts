import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiProblem } from '../api/client';
import { useSession } from '../session';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Loads with the session's cookie; an ended or refused session ends the page's session instead of showing an error. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const { session, signOut } = useSession();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiProblem && error.code === 'unauthorized') signOut(true);
        setState({ data: undefined, error, loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [session?.subject, tick, ...deps]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs an action (approve, revoke…) and keeps its error for the page to show. */
export function useAction(): { busy: boolean; error: unknown; run(action: () => Promise<void>): Promise<boolean>; clear(): void } {
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'unauthorized') signOut(true);
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}
