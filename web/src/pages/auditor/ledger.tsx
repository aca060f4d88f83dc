import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { isMissingFeature } from '../../api/error-messages';
import type { BlockSummary, BlockTransaction } from '../../api/types';
import { CursorPager, useCursors } from '../../components/cursor-pager';
import { Empty, ErrorNotice, Loading } from '../../components/notices';
import { Page } from '../../components/page';
import { StreamCheck } from '../../components/stream-check';
import { useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

/** The ledger as blocks and transactions with their validation codes, and a check of the whole chain. */
export function LedgerPage() {
  const { t, number } = useI18n();
  const cursors = useCursors();
  const cursor = cursors.cursor;
  const [open, setOpen] = useState<number | undefined>();
  const blocks = useLoad(
    () =>
      call<{ items: BlockSummary[]; nextCursor: string | null }>(`/v1/audit/ledger/blocks?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    [cursor],
  );
  if (isMissingFeature(blocks.error)) {
    return (
      <Page title={t('ledger.title')}>
        <p class="notice notice-info">{t('auditor.unavailable')}</p>
      </Page>
    );
  }
  return (
    <Page title={t('ledger.title')} intro={t('ledger.intro')}>
      <section class="card" aria-labelledby="chain-check">
        <h2 id="chain-check">{t('ledger.verifyHeading')}</h2>
        <StreamCheck
          path="/v1/audit/ledger/verify"
          label="ledger.verify"
          describe={(r) =>
            r.ok
              ? t('ledger.verifyOk', { height: number(Number(r.height)) })
              : t('ledger.verifyBad', { blocks: Array.isArray(r.badBlocks) ? r.badBlocks.join(', ') : '?' })
          }
        />
      </section>
      <ErrorNotice error={blocks.error} />
      {blocks.loading && !blocks.data && <Loading />}
      {blocks.data?.items.length === 0 && <Empty>{t('ledger.none')}</Empty>}
      <ul class="stack plain">
        {blocks.data?.items.map((b) => (
          <li key={b.number} class="card compact">
            <button type="button" class="disclosure" aria-expanded={open === b.number} onClick={() => setOpen(open === b.number ? undefined : b.number)}>
              <span aria-hidden="true">{open === b.number ? '▾ ' : '▸ '}</span>
              {t('ledger.block', { number: number(b.number) })} · {t('ledger.transactions', { count: number(b.transactionCount) })}
            </button>
            <p class="mono small">
              {t('ledger.hash')}: {b.hash}
            </p>
            {open === b.number && <BlockDetail number={b.number} />}
          </li>
        ))}
      </ul>
      <CursorPager cursors={cursors} nextCursor={blocks.data?.nextCursor} />
    </Page>
  );
}

function BlockDetail({ number: blockNumber }: { number: number }) {
  const { t, dateTime } = useI18n();
  const block = useLoad(() => call<BlockSummary & { transactions: BlockTransaction[] }>(`/v1/audit/ledger/blocks/${blockNumber}`), [blockNumber]);
  if (block.loading) return <Loading />;
  if (block.error) return <ErrorNotice error={block.error} />;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={t('ledger.block', { number: blockNumber })}>
      <p class="mono small">
        {t('ledger.previousHash')}: {block.data?.previousHash}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('ledger.txId')}</th>
            <th scope="col">{t('ledger.validation')}</th>
            <th scope="col">{t('ledger.function')}</th>
            <th scope="col">{t('ledger.msp')}</th>
            <th scope="col">{t('ledger.time')}</th>
          </tr>
        </thead>
        <tbody>
          {block.data?.transactions.map((tx) => (
            <tr key={tx.id}>
              <td class="mono small">{tx.id.slice(0, 16)}…</td>
              <td>
                <span class={`badge ${tx.validationCode === 'VALID' ? 'status-active' : 'status-revoked'}`}>{tx.validationCode}</span>
              </td>
              <td class="mono small">
                {tx.chaincode}:{tx.function}
              </td>
              <td>{tx.mspId}</td>
              <td>{dateTime(tx.timestamp)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
