import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type postgres from 'postgres';
import type { Sql } from '../infra/database.js';
import type { AccessEventRow, AccessHistory } from './access-events.js';
import type { AccessEvent, AccessRecorder, LeafKind, RecordedAccess, UseGuard } from './access-recorder.js';
import { Frontier, leafHash, type SubtreeKey } from './merkle.js';

export type { AccessEvent, LeafKind, RecordedAccess, UseGuard } from './access-recorder.js';

interface Pending {
  kind: LeafKind;
  entry: string;
  event?: AccessEvent;
  guard?: UseGuard;
  /** The ledger transaction this leaf records (a consent decision, a deposit): at most one leaf each. */
  transactionId?: string;
  done(err: unknown, result?: { leafIndex: number; event?: AccessEvent }): void;
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
export class AccessLog implements AccessRecorder, AccessHistory {
  private batch: Pending[] = [];
  private flushing = false;
  private frontier: Frontier | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly maxBatch = 1_000,
  ) {}

  /**
   * Records a read of personal data; resolves once durable. With a guard, a GRANTED read is
   * recorded as granted — and its use counted — only if the guard still holds at that moment;
   * otherwise it is recorded as DENIED, and the answer says why.
   */
  async recordAccess(event: AccessEvent, guard?: UseGuard): Promise<RecordedAccess> {
    const { leafIndex, event: recorded } = await this.enqueue({
      kind: 'data_read',
      entry: accessEventEntry(event),
      event,
      ...(guard && event.outcome === 'GRANTED' ? { guard } : {}),
    });
    const final = recorded ?? event;
    return {
      leafIndex,
      outcome: final.outcome,
      ...(final.outcome === 'DENIED' && guard ? { reason: final.reason as 'not_active' | 'frequency_exceeded' } : {}),
    };
  }

  /**
   * Appends any other event (a consent decision, a record deposit, a licence use); `entry` must hold
   * no personal data. With `transactionId`, the leaf is tied to that ledger transaction, once: if it
   * already has its leaf (the repair sweep and a request racing), that leaf's index is the answer.
   */
  async append(kind: Exclude<LeafKind, 'data_read'>, entry: Record<string, unknown>, transactionId?: string): Promise<{ leafIndex: number }> {
    const { leafIndex } = await this.enqueue({ kind, entry: canonicalJson({ v: 1, kind, ...entry }), ...(transactionId ? { transactionId } : {}) });
    return { leafIndex };
  }

  /** A subject's access events, newest first, a page at a time after the `(at, id)` cursor, with the exact bytes each leaf hashes. */
  async accessEventsOf(subjectId: string, page: { limit: number; after?: { at: Date; id: string } }): Promise<AccessEventRow[]> {
    return this.sql<AccessEventRow[]>`
      select e.id, e.consent_id, e.consumer_org_id, o.name as consumer_name, e.purpose, e.fields, e.outcome, e.reason, e.at,
             e.leaf_index, l.entry as log_entry
      from access_events e join organizations o on o.id = e.consumer_org_id left join log_leaves l on l.leaf_index = e.leaf_index
      where e.subject_id = ${subjectId}
      ${page.after ? this.sql`and (e.at, e.id) < (${page.after.at}, ${page.after.id})` : this.sql``}
      order by e.at desc, e.id desc limit ${page.limit}`;
  }

  private enqueue(p: Omit<Pending, 'done'>): Promise<{ leafIndex: number; event?: AccessEvent }> {
    return new Promise((resolve, reject) => {
      this.batch.push({ ...p, done: (err, result) => (err ? reject(err) : resolve(result!)) });
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

  private async flush(batch: Pending[]): Promise<void> {
    let pending = batch;
    try {
      let first: number | undefined;
      let recorded: (AccessEvent | undefined)[] = [];
      for (let attempt = 0; first === undefined; attempt++) {
        // Our right edge says where the log ends; if it does not (another instance appended, or this
        // is the first batch), read it from the database.
        if (!this.frontier) {
          const [state] = await this.sql<{ size: string }[]>`select size from log_state`;
          this.frontier = await loadFrontier(this.sql, Number(state!.size));
        }
        const start = this.frontier.size;
        const frontier = this.frontier.clone();
        try {
          // One transaction: guarded reads are checked and counted first (under a share lock on
          // their consents, so a revoke's block waits for them or they see it); then the size moves
          // only from where we think it is, and leaf `start` is new only if it does — a stale edge
          // fails on the primary key and rolls back, uses included.
          await this.sql.begin(async (tx) => {
            recorded = await guardReads(tx, pending);
            const leaves: { leaf_index: number; kind: string; entry: string; leaf_hash: Buffer }[] = [];
            const nodes: { level: number; idx: number; hash: Buffer }[] = [];
            pending.forEach((p, i) => {
              const entry = recorded[i] && recorded[i] !== p.event ? accessEventEntry(recorded[i]) : p.entry;
              const hash = leafHash(entry);
              leaves.push({ leaf_index: start + i, kind: p.kind, entry, leaf_hash: hash });
              for (const n of frontier.append(hash)) nodes.push({ level: n.level, idx: n.index, hash: n.hash });
            });
            const events = pending.flatMap((_p, i) => (recorded[i] ? [accessEventRow(tx, recorded[i], start + i)] : []));
            const tied = pending.flatMap((p, i) => (p.transactionId ? [{ transaction_id: p.transactionId, leaf_index: start + i }] : []));
            const [moved] = await Promise.all([
              tx`update log_state set size = size + ${pending.length} where size = ${start}`,
              tx`insert into log_leaves ${tx(leaves)}`,
              nodes.length > 0 ? tx`insert into log_nodes ${tx(nodes)}` : undefined,
              events.length > 0 ? tx`insert into access_events ${tx(events)}` : undefined,
              tied.length > 0 ? tx`insert into ledger_leaves ${tx(tied)}` : undefined,
            ]);
            if (moved.count !== 1) throw new StaleFrontier();
          });
          this.frontier = frontier;
          first = start;
        } catch (err) {
          this.frontier = undefined;
          const constraint = (err as { constraint_name?: string }).constraint_name;
          if (constraint === 'ledger_leaves_pkey') {
            // A ledger transaction already has its leaf: answer with it, and append the rest.
            const ids = pending.flatMap((p) => (p.transactionId ? [p.transactionId] : []));
            const existing = new Map(
              (
                await this.sql<{ transaction_id: string; leaf_index: string }[]>`
              select transaction_id, leaf_index from ledger_leaves where transaction_id = any(${ids})`
              ).map((r) => [r.transaction_id, Number(r.leaf_index)]),
            );
            pending = pending.filter((p) => {
              const leaf = p.transactionId === undefined ? undefined : existing.get(p.transactionId);
              if (leaf !== undefined) p.done(undefined, { leafIndex: leaf });
              return leaf === undefined;
            });
            if (pending.length === 0) return;
            continue;
          }
          const stale = err instanceof StaleFrontier || constraint === 'log_leaves_pkey';
          if (!stale || attempt >= 5) throw err;
        }
      }
      pending.forEach((p, i) => p.done(undefined, { leafIndex: first! + i, ...(recorded[i] ? { event: recorded[i] } : {}) }));
    } catch (err) {
      for (const p of pending) p.done(err);
    }
  }
}

/**
 * Checks and counts the guarded reads of a batch inside its transaction, and answers each pending
 * entry's access event as it will be recorded: unchanged, or DENIED when its consent is no longer
 * active (or a revoke or pause is pending) or its period's allowance is spent.
 */
async function guardReads(tx: postgres.TransactionSql, pending: Pending[]): Promise<(AccessEvent | undefined)[]> {
  const guarded = pending.flatMap((p) => (p.guard && p.event ? [{ p, event: p.event, guard: p.guard }] : []));
  if (guarded.length === 0) return pending.map((p) => p.event);
  const consentIds = [...new Set(guarded.map((g) => g.event.consentId))];
  const [active, ...uses] = await Promise.all([
    tx<{ id: string }[]>`select id from consents where id = any(${consentIds}::uuid[]) and status = 'ACTIVE' and blocked_by is null order by id for share`,
    ...guarded.map(
      ({ event, guard }) => tx`
      with usable as (select id from consents where id = ${event.consentId} and status = 'ACTIVE' and blocked_by is null)
      insert into consent_usage (consent_id, period, uses) select id, ${guard.period}, 1 from usable
      on conflict (consent_id, period) do update set uses = consent_usage.uses + 1 where consent_usage.uses < ${guard.limit}
      returning uses`,
    ),
  ]);
  const usable = new Set(active.map((r) => r.id));
  const verdict = new Map<Pending, AccessEvent>();
  guarded.forEach(({ p, event }, i) => {
    if (uses[i]!.length === 1) return;
    verdict.set(p, { ...event, outcome: 'DENIED', reason: usable.has(event.consentId) ? 'frequency_exceeded' : 'not_active', usagePeriod: undefined });
  });
  return pending.map((p) => verdict.get(p) ?? p.event);
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
