import type { common } from '@hyperledger/fabric-protos';
import { blockTransactions, blockDataHash, blockHeaderHash } from '@citizen-vault/ledger-format';
import type { Sql } from '../infra/database.js';
import { Projector, type FollowedStream, type LogWarning } from '../infra/projector.js';
import type { CloseableAsyncIterable } from '@hyperledger/fabric-gateway';

const NAME = 'ledger-read-model';

/** What the projector follows: the ledger's blocks, from a block number. */
export interface BlockSource {
  blocks(startBlock: number): Promise<CloseableAsyncIterable<common.Block>>;
}

/**
 * Projects the ledger's blocks into `ledger_blocks`, `ledger_transactions` and `ledger_events`, one
 * block per database transaction together with its checkpoint: after a crash it resumes at the
 * first block not yet projected, and a block is never half-projected. `rebuild()` throws the read
 * model away and replays from block 0 — what it produces must equal what it had.
 */
export class LedgerProjector extends Projector<common.Block> {
  private waiters: { height: number; resolve(): void }[] = [];
  /** Blocks projected so far (the next block to project). */
  projected = 0;

  constructor(
    private readonly sql: Sql,
    private readonly ledger: BlockSource,
    log: LogWarning,
  ) {
    super('ledger projector', log);
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

  protected async open(): Promise<FollowedStream<common.Block>> {
    const [row] = await this.sql<{ block_number: string }[]>`select block_number from ledger_checkpoints where name = ${NAME}`;
    this.projected = row ? Number(row.block_number) : 0;
    return this.ledger.blocks(this.projected);
  }

  protected async apply(block: common.Block): Promise<void> {
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
