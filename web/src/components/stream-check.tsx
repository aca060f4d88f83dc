import { useState } from 'preact/hooks';
import { ApiProblem, ndjson, send } from '../api/client';
import { errorMessageKey, isMissingFeature } from '../api/error-messages';
import { useI18n, type MessageKey } from '../i18n/i18n';

export interface StreamResult {
  ok: boolean;
  [key: string]: unknown;
}

/**
 * Runs one of the auditor's streamed verifications (NDJSON: progress lines, then a result) and
 * shows a progress bar while it runs.
 */
export function StreamCheck({ path, label, describe }: { path: string; label: MessageKey; describe(result: StreamResult): string }) {
  const { t, number } = useI18n();
  const [state, setState] = useState<{ running: boolean; checked: number; total: number; result?: StreamResult; error?: unknown }>({
    running: false,
    checked: 0,
    total: 0,
  });
  const run = async (): Promise<void> => {
    setState({ running: true, checked: 0, total: 0 });
    try {
      const res = await send(path, { accept: 'application/x-ndjson' });
      for await (const line of ndjson(res)) {
        if (typeof line !== 'object' || line === null) continue;
        const l = line as Record<string, unknown>;
        if (l.type === 'progress') setState((s) => ({ ...s, checked: Number(l.checked) || 0, total: Number(l.height ?? l.total) || s.total }));
        if (l.type === 'result') setState((s) => ({ ...s, running: false, checked: s.total || s.checked, result: { ...l, ok: l.ok === true } }));
        if (l.type === 'error') throw new ApiProblem(typeof l.code === 'string' ? l.code : 'internal', 500, typeof l.detail === 'string' ? l.detail : '');
      }
      setState((s) => (s.running ? { ...s, running: false } : s));
    } catch (error) {
      setState((s) => ({ ...s, running: false, error }));
    }
  };
  const progressId = `progress-${path.replace(/\W/g, '-')}`;
  return (
    <div class="check">
      <button type="button" class="button primary" disabled={state.running} onClick={() => void run()}>
        {t(label)}
      </button>
      {(state.running || state.checked > 0) && (
        <div class="progress-row">
          <label for={progressId}>{t('auditor.progress', { checked: number(state.checked), total: number(state.total) })}</label>
          <progress id={progressId} max={state.total || 1} value={state.total ? state.checked : undefined} />
        </div>
      )}
      <div role="status">
        {state.result && <p class={state.result.ok ? 'notice notice-success' : 'notice notice-error'}>{describe(state.result)}</p>}
        {state.error !== undefined && (
          <p class="notice notice-error">{isMissingFeature(state.error) ? t('auditor.unavailable') : t(errorMessageKey(state.error))}</p>
        )}
      </div>
    </div>
  );
}
