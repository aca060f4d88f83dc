import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type postgres from 'postgres';
import type { Sql } from '../infra/database.js';
import { Frontier, leafHash, type SubtreeKey } from './merkle.js';

/** What the log records. Entries carry pseudonymous ids only: no names, identity numbers or field values. */
export type LeafKind = 'data_read' | 'consent_decision' | 'record_deposit' | 'licence_use';

/** A read of personal data, granted or refused: a leaf of the log and a row of `access_events`. */
export interface AccessEvent {
  id: string;
  consentId: string;
  subjectId: string;
  consumerOrgId: string;
  purpose: string;
  fields: string[];
  outcome: 'GRANTED' | 'DENIED';
  reason?: string | undefined;
  usagePeriod?: string | undefined;
  at: Date;
}

interface Pending {
  kind: LeafKind;
  entry: string;
  event?: AccessEvent;
  done(err: unknown, leafIndex?: number): void;
}

/** The exact bytes a data-read leaf hashes; the citizen is shown this string with the event. */
export function accessEventEntry(e: AccessEvent): string {
  return canonicalJson({
    v: 1,
    kind: 'data_read',
    id: e.id,
    at: e.at.toISOString(),
    consentId: e.consentId,
    subjectId: e.subjectId,
    consumerOrgId: e.consumerOrgId,
    purpose: e.purpose,
    fields: e.fields,
    outcome: e.outcome,
    ...(e.reason ? { reason: e.reason } : {}),
  });
}

/**
 * The verifiable access log: an append-only RFC 6962 Merkle tree in Postgres. Appends made in the
 * same turn of the event loop are group-committed — one transaction takes the next leaf indices
 * under the `log_state` row lock (so several API instances never leave a gap), inserts the leaves,
 * the access events and every subtree the batch completed, and flushes the WAL once. Each caller's
 * promise resolves with its leaf index only once all of that is durable.
 */
export class AccessLog {
  private batch: Pending[] = [];
  private flushing = false;
  private frontier: Frontier | undefined;

  constructor(private readonly sql: Sql, private readonly maxBatch = 1_000) {}

  /** Records a read of personal data; resolves with its leaf index once durable. */
  recordAccess(event: AccessEvent): Promise<{ leafIndex: number }> {
    return this.enqueue('data_read', accessEventEntry(event), event);
  }

  /** Appends any other event (a consent decision, a record deposit, a licence use); `entry` must hold no personal data. */
  append(kind: Exclude<LeafKind, 'data_read'>, entry: Record<string, unknown>): Promise<{ leafIndex: number }> {
    return this.enqueue(kind, canonicalJson({ v: 1, kind, ...entry }));
  }

  private enqueue(kind: LeafKind, entry: string, event?: AccessEvent): Promise<{ leafIndex: number }> {
    return new Promise((resolve, reject) => {
      this.batch.push({ kind, entry, ...(event ? { event } : {}), done: (err, leafIndex) => (err ? reject(err) : resolve({ leafIndex: leafIndex! })) });
      if (this.batch.length === 1 && !this.flushing) setImmediate(() => void this.drain());
    });
  }

  /**
   * One batch in flight at a time: appends arriving meanwhile wait for the next batch, which goes
   * as soon as the current one commits. Batches from one instance never queue on the row lock,
   * and they grow with the load instead of splitting it.
   */
  private async drain(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.batch.length > 0) await this.flush(this.batch.splice(0, this.maxBatch));
    } finally {
      this.flushing = false;
    }
  }

  private async flush(pending: Pending[]): Promise<void> {
    try {
      let first: number | undefined;
      for (let attempt = 0; first === undefined; attempt++) {
        // Our right edge says where the log ends; if it does not (another instance appended, or this
        // is the first batch), read it from the database.
        if (!this.frontier) {
          const [state] = await this.sql<{ size: string }[]>`select size from log_state`;
          this.frontier = await loadFrontier(this.sql, Number(state!.size));
        }
        const start = this.frontier.size;
        const frontier = this.frontier.clone();
        const leaves: { leaf_index: number; kind: string; entry: string; leaf_hash: Buffer }[] = [];
        const nodes: { level: number; idx: number; hash: Buffer }[] = [];
        pending.forEach((p, i) => {
          const hash = leafHash(p.entry);
          leaves.push({ leaf_index: start + i, kind: p.kind, entry: p.entry, leaf_hash: hash });
          for (const n of frontier.append(hash)) nodes.push({ level: n.level, idx: n.index, hash: n.hash });
        });
        const events = pending.flatMap((p, i) => (p.event ? [accessEventRow(this.sql, p.event, start + i)] : []));
        try {
          // One pipelined transaction: the size moves only from where we think it is, and leaf
          // `start` is new only if it does — a stale edge fails on the primary key and rolls back.
          await this.sql.begin(async (tx) => {
            const [moved] = await Promise.all([
              tx`update log_state set size = size + ${pending.length} where size = ${start}`,
              tx`insert into log_leaves ${tx(leaves)}`,
              nodes.length > 0 ? tx`insert into log_nodes ${tx(nodes)}` : undefined,
              events.length > 0 ? tx`insert into access_events ${tx(events)}` : undefined,
            ]);
            if (moved.count !== 1) throw new StaleFrontier();
          });
          this.frontier = frontier;
          first = start;
        } catch (err) {
          this.frontier = undefined;
          const stale = err instanceof StaleFrontier || (err as { constraint_name?: string }).constraint_name === 'log_leaves_pkey';
          if (!stale || attempt >= 5) throw err;
        }
      }
      pending.forEach((p, i) => p.done(undefined, first + i));
    } catch (err) {
      for (const p of pending) p.done(err);
    }
  }
}

class StaleFrontier extends Error {}

function accessEventRow(sql: Pick<Sql, 'array'>, e: AccessEvent, leafIndex: number) {
  return {
    id: e.id,
    consent_id: e.consentId,
    subject_id: e.subjectId,
    consumer_org_id: e.consumerOrgId,
    purpose: e.purpose,
    fields: sql.array(e.fields),
    outcome: e.outcome,
    reason: e.reason ?? null,
    usage_period: e.usagePeriod ?? null,
    at: e.at,
    leaf_index: leafIndex,
  };
}

/** The hashes of complete subtrees, from `log_nodes` (level ≥ 1) and `log_leaves` (level 0), in one round trip. */
export async function loadSubtrees(sql: Sql | postgres.TransactionSql, keys: SubtreeKey[]): Promise<Map<string, Buffer>> {
  const leafIndices = keys.filter((k) => k.level === 0).map((k) => k.index);
  const nodeKeys = keys.filter((k) => k.level > 0);
  const rows = await sql<{ level: number; idx: string; hash: Buffer }[]>`
    select level::int as level, idx, hash from log_nodes
    where (level, idx) in (select * from unnest(${nodeKeys.map((k) => k.level)}::smallint[], ${nodeKeys.map((k) => k.index)}::bigint[]))
    union all
    select 0, leaf_index, leaf_hash from log_leaves where leaf_index = any(${leafIndices}::bigint[])`;
  return new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
}

async function loadFrontier(sql: Sql | postgres.TransactionSql, size: number): Promise<Frontier> {
  const keys = Frontier.keysFor(size);
  const found = await loadSubtrees(sql, keys);
  return Frontier.from(
    size,
    keys.map((k) => {
      const hash = found.get(`${k.level}/${k.index}`);
      if (!hash) throw new Error(`the access log is missing subtree ${k.level}/${k.index}`);
      return hash;
    }),
  );
}
