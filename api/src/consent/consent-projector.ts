import type { ChaincodeEvent, Checkpoint, CloseableAsyncIterable } from '@hyperledger/fabric-gateway';
import type { Sql } from '../infra/database.js';
import { Projector, type FollowedStream, type LogWarning } from '../infra/projector.js';

const NAME = 'consent-read-model';

/** What the projector follows: the chaincode's events, from a checkpoint. */
export interface ChaincodeEventSource {
  chaincodeEvents(checkpoint?: Checkpoint): Promise<CloseableAsyncIterable<ChaincodeEvent>>;
}
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
export class ConsentProjector extends Projector<ChaincodeEvent> {
  constructor(
    private readonly sql: Sql,
    private readonly ledger: ChaincodeEventSource,
    log: LogWarning,
  ) {
    super('consent projector', log);
  }

  protected async open(): Promise<FollowedStream<ChaincodeEvent>> {
    const [row] = await this.sql<
      { block_number: string; transaction_id: string | null }[]
    >`select block_number, transaction_id from ledger_checkpoints where name = ${NAME}`;
    const checkpoint: Checkpoint | undefined = row
      ? { getBlockNumber: () => BigInt(row.block_number), getTransactionId: () => row.transaction_id ?? undefined }
      : undefined;
    return this.ledger.chaincodeEvents(checkpoint);
  }

  protected async apply(event: ChaincodeEvent): Promise<void> {
    if (CONSENT_EVENTS.has(event.eventName)) await this.applyConsent(JSON.parse(Buffer.from(event.payload).toString()) as ConsentEvent);
    await this.sql`
      insert into ledger_checkpoints (name, block_number, transaction_id) values (${NAME}, ${event.blockNumber.toString()}, ${event.transactionId})
      on conflict (name) do update set block_number = excluded.block_number, transaction_id = excluded.transaction_id, updated_at = now()`;
  }

  private async applyConsent(e: ConsentEvent): Promise<void> {
    await this.sql`
      update consents set status = ${e.status}, granted_fields = ${e.grantedFields}, updated_at = ${e.at},
        -- a committed revoke or pause lifts its pending block (an ACTIVE status leaves a pending one in place)
        blocked_by = case when ${e.status} = 'ACTIVE' then blocked_by end, blocked_at = case when ${e.status} = 'ACTIVE' then blocked_at end
      where id = ${e.consentId} and updated_at <= ${e.at}`;
  }
}
