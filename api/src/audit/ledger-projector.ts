import type { common } from '@hyperledger/fabric-protos';
import { blockTransactions, blockDataHash, blockHeaderHash } from '@citizen-vault/ledger-format';
import type { Sql } from '../infra/database.js';
import type { FabricLedger } from '../ledger/fabric-ledger.js';

const NAME = 'ledger-read-model';

/**
 * Projects the ledger's blocks into `ledger_blocks`, `ledger_transactions` and `ledger_events`, one
 * block per database transaction together with its checkpoint: after a crash it resumes at the
 * first block not yet projected, and a block is never half-projected. `rebuild()` throws the read
 * model away and replays from block 0 — what it produces must equal what it had.
 */
export class LedgerProjector {
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;
  private waiters: { height: number; resolve(): void }[] = [];
  /** Blocks projected so far (the next block to project). */
  projected = 0;

  constructor(private readonly sql: Sql, private readonly ledger: FabricLedger, private readonly log: (message: string, fields: Record<string, unknown>) => void) {}

  start(): void {
    this.abort = new AbortController();
    this.done = this.follow(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
  }

  /** Empties the read model and projects the ledger again from block 0. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.sql.begin(async (tx) => {
      await tx`delete from ledger_events`;
      await tx`delete from ledger_transactions`;
      await tx`delete from ledger_blocks`;
      await tx`delete from ledger_checkpoints where name = ${NAME}`;
    });
    this.projected = 0;
    this.start();
  }

  /** Resolves once blocks below `height` are projected. */
  caughtUp(height: number): Promise<void> {
    if (this.projected >= height) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ height, resolve }));
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let retryMs = 500;
    while (!signal.aborted) {
      try {
        const [row] = await this.sql<{ block_number: string }[]>`select block_number from ledger_checkpoints where name = ${NAME}`;
        this.projected = row ? Number(row.block_number) : 0;
        const blocks = await this.ledger.blocks(this.projected);
        const close = (): void => blocks.close();
        signal.addEventListener('abort', close);
        if (signal.aborted) close();
        try {
          for await (const block of blocks) {
            await this.project(block);
            retryMs = 500;
          }
        } finally {
          signal.removeEventListener('abort', close);
        }
        if (!signal.aborted) await new Promise((r) => setTimeout(r, retryMs));
      } catch (err) {
        if (signal.aborted) return;
        this.log('ledger projector interrupted; resuming from its checkpoint', { error: String(err), retryMs });
        await new Promise((r) => setTimeout(r, retryMs));
        // Low cap: a retry is cheap, and a ledger that is back should be followed again within a couple of seconds.
        retryMs = Math.min(retryMs * 2, 2_000);
      }
    }
  }

  private async project(block: common.Block): Promise<void> {
    const header = block.getHeader()!;
    const number = header.getNumber();
    if (number !== this.projected) throw new Error(`expected block ${this.projected}, the ledger sent ${number}`);
    const transactions = blockTransactions(block);
    await this.sql.begin(async (tx) => {
      await tx`insert into ledger_blocks ${tx({
        number,
        header_hash: blockHeaderHash(header).toString('hex'),
        previous_hash: Buffer.from(header.getPreviousHash_asU8()).toString('hex'),
        data_hash: blockDataHash(block.getData()?.getDataList_asU8() ?? []).toString('hex'),
        transaction_count: block.getData()?.getDataList().length ?? 0,
      })} on conflict do nothing`;
      const txRows = transactions.map((t, i) => ({
        block_number: number,
        tx_index: i,
        transaction_id: t.txId,
        validation_code: t.validationCode,
        chaincode: t.chaincode,
        function: t.function,
        creator_msp_id: t.creatorMspId,
        timestamp: t.timestamp,
      }));
      if (txRows.length > 0) await tx`insert into ledger_transactions ${tx(txRows)} on conflict do nothing`;
      const eventRows = transactions.flatMap((t, i) => {
        if (!t.event || t.validationCode !== 'VALID') return [];
        let payload: unknown;
        try {
          payload = JSON.parse(t.event.payload.toString('utf8'));
        } catch {
          payload = { raw: t.event.payload.toString('base64') };
        }
        return [{ block_number: number, tx_index: i, transaction_id: t.txId, name: t.event.name, payload: tx.json(payload as never), at: t.timestamp }];
      });
      if (eventRows.length > 0) await tx`insert into ledger_events ${tx(eventRows)} on conflict do nothing`;
      await tx`
        insert into ledger_checkpoints (name, block_number) values (${NAME}, ${number + 1})
        on conflict (name) do update set block_number = excluded.block_number, updated_at = now()`;
    });
    this.projected = number + 1;
    this.waiters = this.waiters.filter((w) => (w.height <= this.projected ? (w.resolve(), false) : true));
  }
}
