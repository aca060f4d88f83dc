import { ChainChecker, type ChainProblem } from '@citizen-vault/ledger-format';
import { blockHeaderHash } from '@citizen-vault/ledger-format';
import { decodeCursor, page } from '../infra/cursor.js';
import type { Sql } from '../infra/database.js';
import { accessEventView, type AccessEventRow } from './access-events.js';
import { DomainError } from '../errors/index.js';
import type { ChainLedger } from './ports.js';

export interface Page<T> {
  items: T[];
  nextCursor: string;
}

export interface AccessEventFilter {
  subjectId?: string | undefined;
  consumerOrgId?: string | undefined;
  consentId?: string | undefined;
  purpose?: string | undefined;
  outcome?: 'GRANTED' | 'DENIED' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface LedgerVerification {
  ok: boolean;
  height: number;
  problems: ChainProblem[];
  badBlocks: number[];
}

/** What auditors query: the access log, the ledger's read models and the chain itself. Read-only. */
export class AuditService {
  constructor(
    private readonly sql: Sql,
    private readonly ledger: ChainLedger,
  ) {}

  async accessEvents(f: AccessEventFilter, limit: number, cursor?: string) {
    const after = decodeCursor(cursor, ['instant', 'uuid']);
    const sql = this.sql;
    const rows = await sql<(Omit<AccessEventRow, 'log_entry'> & { subject_id: string })[]>`
      select e.id, e.consent_id, e.subject_id, e.consumer_org_id, o.name as consumer_name, e.purpose, e.fields, e.outcome, e.reason, e.at, e.leaf_index
      from access_events e join organizations o on o.id = e.consumer_org_id
      where true
        ${f.subjectId ? sql`and e.subject_id = ${f.subjectId}` : sql``}
        ${f.consumerOrgId ? sql`and e.consumer_org_id = ${f.consumerOrgId}` : sql``}
        ${f.consentId ? sql`and e.consent_id = ${f.consentId}` : sql``}
        ${f.purpose ? sql`and e.purpose = ${f.purpose}` : sql``}
        ${f.outcome ? sql`and e.outcome = ${f.outcome}` : sql``}
        ${f.from ? sql`and e.at >= ${f.from}` : sql``}
        ${f.to ? sql`and e.at < ${f.to}` : sql``}
        ${after ? sql`and (e.at, e.id) < (${after[0] as string}::timestamptz, ${after[1] as string}::uuid)` : sql``}
      order by e.at desc, e.id desc limit ${limit + 1}`;
    const result = page(rows, limit, (r) => [r.at.toISOString(), r.id]);
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((e) => ({ ...accessEventView(e), subjectId: e.subject_id })),
    };
  }

  /** Consent history as the ledger recorded it (from the block read model), joined to the consent for filtering. */
  async consentEvents(f: Omit<AccessEventFilter, 'outcome'>, limit: number, cursor?: string) {
    const after = decodeCursor(cursor, ['index', 'index']);
    const sql = this.sql;
    const rows = await sql<
      {
        block_number: string;
        tx_index: number;
        transaction_id: string;
        name: string;
        payload: Record<string, unknown>;
        at: Date;
        subject_id: string | null;
        consumer_org_id: string | null;
        purpose: string | null;
      }[]
    >`
      select ev.block_number, ev.tx_index, ev.transaction_id, ev.name, ev.payload, ev.at, c.subject_id, c.consumer_org_id, c.purpose
      from ledger_events ev left join consents c on c.id = (ev.payload->>'consentId')::uuid
      where ev.name like 'Consent%'
        ${f.consentId ? sql`and ev.payload->>'consentId' = ${f.consentId}` : sql``}
        ${f.subjectId ? sql`and c.subject_id = ${f.subjectId}` : sql``}
        ${f.consumerOrgId ? sql`and c.consumer_org_id = ${f.consumerOrgId}` : sql``}
        ${f.purpose ? sql`and c.purpose = ${f.purpose}` : sql``}
        ${f.from ? sql`and ev.at >= ${f.from}` : sql``}
        ${f.to ? sql`and ev.at < ${f.to}` : sql``}
        ${after ? sql`and (ev.block_number, ev.tx_index) < (${after[0] as number}, ${after[1] as number})` : sql``}
      order by ev.block_number desc, ev.tx_index desc limit ${limit + 1}`;
    const result = page(rows, limit, (r) => [Number(r.block_number), r.tx_index]);
    return {
      nextCursor: result.nextCursor,
      items: result.items.map((r) => ({
        event: r.name,
        consentId: r.payload.consentId,
        status: r.payload.status,
        subjectId: r.subject_id,
        consumerOrgId: r.consumer_org_id,
        purpose: r.purpose,
        payload: r.payload,
        transactionId: r.transaction_id,
        blockNumber: Number(r.block_number),
        at: r.at.toISOString(),
      })),
    };
  }

  async blocks(limit: number, cursor?: string) {
    const before = decodeCursor(cursor, ['index'])?.[0] as number | undefined;
    const rows = await this.sql<{ number: string; header_hash: string; previous_hash: string; data_hash: string; transaction_count: number }[]>`
      select * from ledger_blocks ${before !== undefined ? this.sql`where number < ${before}` : this.sql``} order by number desc limit ${limit + 1}`;
    const result = page(rows.map(blockView), limit, (b) => [b.number]);
    return result;
  }

  async block(number: number) {
    const [row] = await this.sql<
      { number: string; header_hash: string; previous_hash: string; data_hash: string; transaction_count: number }[]
    >`select * from ledger_blocks where number = ${number}`;
    if (!row) throw new DomainError('not_found', `block ${number} is not in the read model (yet)`);
    const txs = await this.sql<
      {
        tx_index: number;
        transaction_id: string;
        validation_code: string;
        chaincode: string;
        function: string;
        creator_msp_id: string;
        timestamp: Date;
        event: string | null;
      }[]
    >`
      select t.tx_index, t.transaction_id, t.validation_code, t.chaincode, t.function, t.creator_msp_id, t.timestamp, e.name as event
      from ledger_transactions t left join ledger_events e on e.block_number = t.block_number and e.tx_index = t.tx_index
      where t.block_number = ${number} order by t.tx_index`;
    return {
      ...blockView(row),
      transactions: txs.map((t) => ({
        index: t.tx_index,
        id: t.transaction_id,
        validationCode: t.validation_code,
        chaincode: t.chaincode,
        function: t.function,
        mspId: t.creator_msp_id,
        timestamp: t.timestamp.toISOString(),
        event: t.event,
      })),
    };
  }

  async transaction(id: string) {
    const rows = await this.sql<
      {
        block_number: string;
        tx_index: number;
        validation_code: string;
        chaincode: string;
        function: string;
        creator_msp_id: string;
        timestamp: Date;
        event: string | null;
        payload: unknown;
      }[]
    >`
      select t.block_number, t.tx_index, t.validation_code, t.chaincode, t.function, t.creator_msp_id, t.timestamp, e.name as event, e.payload
      from ledger_transactions t left join ledger_events e on e.block_number = t.block_number and e.tx_index = t.tx_index
      where t.transaction_id = ${id} order by t.block_number, t.tx_index`;
    if (rows.length === 0) throw new DomainError('not_found', `transaction ${id} is not in the read model (yet)`);
    // A replayed transaction id appears again, marked DUPLICATE_TXID: every occurrence is shown.
    return {
      id,
      occurrences: rows.map((r) => ({
        blockNumber: Number(r.block_number),
        index: r.tx_index,
        validationCode: r.validation_code,
        chaincode: r.chaincode,
        function: r.function,
        mspId: r.creator_msp_id,
        timestamp: r.timestamp.toISOString(),
        event: r.event,
        eventPayload: r.payload ?? null,
      })),
    };
  }

  /**
   * Fetches every block from the ledger (Deliver, from block 0 to the current height) and checks
   * the hash chain: each data hash, each previous-hash link. Then checks the read model's stored
   * header hashes against the recomputed ones, so an auditor's queries stand on verified blocks.
   */
  async verifyLedger(onProgress?: (checked: number, height: number) => void): Promise<LedgerVerification> {
    const height = await this.ledger.height();
    const checker = new ChainChecker();
    const hashes: string[] = [];
    if (height > 0) {
      const blocks = await this.ledger.blocks(0);
      try {
        for await (const block of blocks) {
          checker.add(block);
          const header = block.getHeader();
          hashes.push(header ? blockHeaderHash(header).toString('hex') : '');
          onProgress?.(checker.height, height);
          if (checker.height >= height) break;
        }
      } finally {
        blocks.close();
      }
    }
    const problems = [...checker.problems];
    for (let start = 0; start < hashes.length; start += 5_000) {
      const rows = await this.sql<{ number: string; header_hash: string }[]>`
        select number, header_hash from ledger_blocks where number >= ${start} and number < ${start + 5_000} order by number`;
      for (const r of rows) {
        const n = Number(r.number);
        if (hashes[n] !== undefined && hashes[n] !== r.header_hash)
          problems.push({ block: n, reason: 'the read model holds a different header hash than the ledger' });
      }
    }
    return { ok: problems.length === 0, height: checker.height, problems, badBlocks: [...new Set(problems.map((p) => p.block))] };
  }

  /** Per consumer: granted and refused reads, distinct citizens, first and last read, in a time range. */
  async accessSummary(from: Date, to: Date) {
    const rows = await this.sql<
      { consumer_org_id: string; consumer_name: string; granted: string; denied: string; subjects: string; first_at: Date; last_at: Date }[]
    >`
      select e.consumer_org_id, o.name as consumer_name,
             count(*) filter (where e.outcome = 'GRANTED') as granted, count(*) filter (where e.outcome = 'DENIED') as denied,
             count(distinct e.subject_id) as subjects, min(e.at) as first_at, max(e.at) as last_at
      from access_events e join organizations o on o.id = e.consumer_org_id
      where e.at >= ${from} and e.at < ${to}
      group by e.consumer_org_id, o.name order by granted desc, e.consumer_org_id`;
    return rows.map((r) => ({
      consumerOrgId: r.consumer_org_id,
      consumerName: r.consumer_name,
      granted: Number(r.granted),
      denied: Number(r.denied),
      citizens: Number(r.subjects),
      firstAt: r.first_at.toISOString(),
      lastAt: r.last_at.toISOString(),
    }));
  }

  /** Consents requested in a time range, by purpose and current status. */
  async consentStatistics(from: Date, to: Date) {
    const rows = await this.sql<{ purpose: string; status: string; consents: string; consumers: string }[]>`
      select purpose, status, count(*) as consents, count(distinct consumer_org_id) as consumers
      from consents where requested_at >= ${from} and requested_at < ${to}
      group by purpose, status order by purpose, status`;
    return rows.map((r) => ({ purpose: r.purpose, status: r.status, consents: Number(r.consents), consumers: Number(r.consumers) }));
  }

  /** Raw log entries, oldest first, for an auditor re-hashing the log. */
  async logEntries(from: number, limit: number) {
    const rows = await this.sql<{ leaf_index: string; kind: string; entry: string; leaf_hash: Buffer; appended_at: Date }[]>`
      select leaf_index, kind, entry, leaf_hash, appended_at from log_leaves where leaf_index >= ${from} order by leaf_index limit ${limit}`;
    return rows.map((r) => ({
      leafIndex: Number(r.leaf_index),
      kind: r.kind,
      entry: r.entry,
      leafHash: r.leaf_hash.toString('hex'),
      appendedAt: r.appended_at.toISOString(),
    }));
  }
}

function blockView(r: { number: string; header_hash: string; previous_hash: string; data_hash: string; transaction_count: number }) {
  return { number: Number(r.number), hash: r.header_hash, previousHash: r.previous_hash, dataHash: r.data_hash, transactionCount: r.transaction_count };
}
