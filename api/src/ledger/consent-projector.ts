import type { Checkpoint } from '@hyperledger/fabric-gateway';
import type { Sql } from '../infra/database.js';
import type { FabricLedger } from './fabric-ledger.js';

const NAME = 'consent-read-model';
const CONSENT_EVENTS = new Set(['ConsentApproved', 'ConsentRejected', 'ConsentPaused', 'ConsentResumed', 'ConsentRevoked', 'ConsentExpired']);

interface ConsentEvent {
  consentId: string;
  status: string;
  grantedFields: string[];
  at: string;
}

/**
 * Keeps the consent read model true to the ledger whoever changed it — another API instance, a
 * consumer recording an expiry, an operator tool — by applying the chaincode's consent events as
 * they commit. It resumes from its checkpoint after a restart. Decisions made through this API
 * are applied before their HTTP answer already; applying them again here changes nothing, because
 * an event only moves a consent forward in time.
 */
export class ConsentProjector {
  private abort: AbortController | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly sql: Sql, private readonly ledger: FabricLedger, private readonly log: (message: string, fields: Record<string, unknown>) => void) {}

  start(): void {
    this.abort = new AbortController();
    this.done = this.follow(this.abort.signal);
  }

  /** Follows the events; on a failure (the ledger restarting, a network cut) starts again from the checkpoint, backing off. */
  private async follow(signal: AbortSignal): Promise<void> {
    let retryMs = 500;
    while (!signal.aborted) {
      try {
        const [row] = await this.sql<{ block_number: string; transaction_id: string | null }[]>`select block_number, transaction_id from ledger_checkpoints where name = ${NAME}`;
        const checkpoint: Checkpoint | undefined = row
          ? { getBlockNumber: () => BigInt(row.block_number), getTransactionId: () => row.transaction_id ?? undefined }
          : undefined;
        const events = await this.ledger.chaincodeEvents(checkpoint);
        const close = (): void => events.close();
        signal.addEventListener('abort', close);
        if (signal.aborted) close(); // stopped while connecting
        try {
          for await (const event of events) {
            if (CONSENT_EVENTS.has(event.eventName)) await this.apply(JSON.parse(Buffer.from(event.payload).toString()) as ConsentEvent);
            await this.sql`
              insert into ledger_checkpoints (name, block_number, transaction_id) values (${NAME}, ${event.blockNumber.toString()}, ${event.transactionId})
              on conflict (name) do update set block_number = excluded.block_number, transaction_id = excluded.transaction_id, updated_at = now()`;
            retryMs = 500;
          }
        } finally {
          signal.removeEventListener('abort', close);
        }
        if (!signal.aborted) await new Promise((r) => setTimeout(r, retryMs)); // the stream ended: reconnect, unhurried
      } catch (err) {
        if (signal.aborted) return;
        this.log('consent projector interrupted; resuming from its checkpoint', { error: String(err), retryMs });
        await new Promise((r) => setTimeout(r, retryMs));
        // Low cap: a retry is cheap, and a ledger that is back should be followed again within a couple of seconds.
        retryMs = Math.min(retryMs * 2, 2_000);
      }
    }
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.done;
  }

  private async apply(e: ConsentEvent): Promise<void> {
    await this.sql`
      update consents set status = ${e.status}, granted_fields = ${e.grantedFields}, updated_at = ${e.at},
        -- a committed revoke or pause lifts its pending block (an ACTIVE status leaves a pending one in place)
        blocked_by = case when ${e.status} = 'ACTIVE' then blocked_by end, blocked_at = case when ${e.status} = 'ACTIVE' then blocked_at end
      where id = ${e.consentId} and updated_at <= ${e.at}`;
  }
}
