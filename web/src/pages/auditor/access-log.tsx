import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { errorMessageKey, isMissingFeature } from '../../api/error-messages';
import type { SignedTreeHead } from '../../api/types';
import { verifyHeadsConsistent } from '../../audit/verify-entry';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { StreamCheck } from '../../components/stream-check';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The access log's signed tree heads, the consistency between any two, and a full check of the log. */
export function AccessLogPage() {
  const { t, number, dateTime } = useI18n();
  const heads = useLoad(() => call<{ items: SignedTreeHead[] }>('/v1/audit/log/tree-heads'));
  const [mode, setMode] = useState<'anchors' | 'full'>('anchors');
  if (isMissingFeature(heads.error)) {
    return (
      <Page title={t('accessLog.title')}>
        <p class="notice notice-info">{t('auditor.unavailable')}</p>
      </Page>
    );
  }
  const items = heads.data?.items ?? [];
  return (
    <Page title={t('accessLog.title')} intro={t('accessLog.intro')}>
      <section class="card" aria-labelledby="log-check">
        <h2 id="log-check">{t('accessLog.verifyHeading')}</h2>
        <div class="field">
          <label for="log-mode">{t('accessLog.mode')}</label>
          <select id="log-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value === 'full' ? 'full' : 'anchors')}>
            <option value="anchors">{t('accessLog.modeAnchors')}</option>
            <option value="full">{t('accessLog.modeFull')}</option>
          </select>
        </div>
        <StreamCheck
          key={mode}
          path={`/v1/audit/log/verify?mode=${mode}`}
          label="accessLog.verify"
          describe={(r) =>
            r.ok
              ? t('accessLog.verifyOk', { checked: number(Number(r.checked)) })
              : t('accessLog.verifyBad', { problems: Array.isArray(r.problems) ? r.problems.length : '?' })
          }
        />
      </section>
      {items.length >= 2 && <ConsistencyCheck heads={items} />}
      <ErrorNotice error={heads.error} />
      {heads.loading && !heads.data && <Loading />}
      {heads.data && items.length === 0 && <Empty>{t('accessLog.none')}</Empty>}
      {items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('accessLog.heads')}>
          <table>
            <caption>{t('accessLog.heads')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('accessLog.size')}</th>
                <th scope="col">{t('accessLog.time')}</th>
                <th scope="col">{t('accessLog.root')}</th>
                <th scope="col">{t('accessLog.anchor')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={`${h.treeSize}-${h.timestamp}`}>
                  <td>{number(h.treeSize)}</td>
                  <td>{dateTime(h.timestamp)}</td>
                  <td class="mono small">{h.rootHash.slice(0, 16)}…</td>
                  <td class="mono small">{h.anchor ? `${h.anchor.transactionId.slice(0, 12)}…` : t('accessLog.notAnchored')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function ConsistencyCheck({ heads }: { heads: SignedTreeHead[] }) {
  const { t, number } = useI18n();
  const sizes = [...new Set(heads.map((h) => h.treeSize))].filter((s) => s > 0).sort((a, b) => a - b);
  const [first, setFirst] = useState(sizes[0] ?? 0);
  const [second, setSecond] = useState(sizes[sizes.length - 1] ?? 0);
  const [result, setResult] = useState<{ ok?: boolean; error?: unknown }>({});
  const head = (size: number): { treeSize: number; rootHash: string } => ({ treeSize: size, rootHash: heads.find((h) => h.treeSize === size)?.rootHash ?? '' });
  const run = async (): Promise<void> => {
    setResult({});
    try {
      setResult({ ok: await verifyHeadsConsistent(head(first), head(second)) });
    } catch (error) {
      setResult({ error });
    }
  };
  return (
    <section class="card" aria-labelledby="consistency">
      <h2 id="consistency">{t('accessLog.consistencyHeading')}</h2>
      <p class="hint">{t('accessLog.consistencyIntro')}</p>
      <div class="row">
        <SizeSelect id="cons-first" label={t('accessLog.first')} sizes={sizes} value={first} onChange={setFirst} />
        <SizeSelect id="cons-second" label={t('accessLog.second')} sizes={sizes} value={second} onChange={setSecond} />
      </div>
      <button type="button" class="button primary" disabled={first > second} onClick={() => void run()}>
        {t('accessLog.consistencyRun')}
      </button>
      <div role="status">
        {result.ok === true && <p class="notice notice-success">{t('accessLog.consistent', { first: number(first), second: number(second) })}</p>}
        {result.ok === false && <p class="notice notice-error">{t('accessLog.inconsistent', { first: number(first), second: number(second) })}</p>}
        {result.error !== undefined && <p class="notice notice-error">{t(errorMessageKey(result.error))}</p>}
      </div>
    </section>
  );
}

function SizeSelect({ id, label, sizes, value, onChange }: { id: string; label: string; sizes: number[]; value: number; onChange(size: number): void }) {
  const { number } = useI18n();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {sizes.map((s) => (
          <option key={s} value={s}>
            {number(s)}
          </option>
        ))}
      </select>
    </div>
  );
}
