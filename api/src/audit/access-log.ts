import { canonicalJson } from '@citizen-vault/chaincode/rules';
import type postgres from 'postgres';
import type { Sql } from '../infra/database.js';
import type { AccessEventRow, AccessHistory } from './access-events.js';
import type { AccessEvent, AccessRecorder, LeafKind, LeafLink, RecordedAccess, UseGuard } from './access-recorder.js';
import { Frontier, leafHash, type SubtreeKey } from './merkle.js';
import { connectionLost, reserveWithin, settledUnlessLost } from './reserved-connection.js';
import { insertBatchRows, type BatchRows } from './log-batch-rows.js';

export type { AccessEvent, LeafKind, LeafLink, RecordedAccess, UseGuard } from './access-recorder.js';

interface Pending {
  kind: LeafKind;
  entry: string;
  event?: AccessEvent;
  guard?: UseGuard;
  /** The ledger transaction this leaf records (a consent decision, a deposit): at most one leaf each. */
  transactionId?: string;
  /** A row elsewhere that records this leaf's index, written in the batch. */
  link?: LeafLink;
  /** Batches this entry was in that rolled back because the log had moved on under them. */
  attempts: number;
  done(err: unknown, result?: { leafIndex: number; event?: AccessEvent }): void;
}

/** A batch rolled back because the log moved on under it (a predecessor failed, or another instance appended): its entries go again. */
const STALE_CODES = new Set(['40001', '40P01']);
/**
 * A batch's rows are written before it moves the log: one built on a stale edge (another instance
 * appended) can meet the rows of the batch that took those positions. Its move would have refused
 * it; the unique key refuses it first, and it goes again the same way.
 */
const TAKEN_POSITIONS = new Set(['log_leaves_pkey', 'log_nodes_pkey', 'access_events_leaf_index_key']);
const MAX_ATTEMPTS = 6;
/** How long a batch waits for a connection of its own: a connection attempt gives up after 3 s. */
const RESERVE_WITHIN_MS = 5_000;
/** The smallest half a queue is split into (see `pump`). */
const MIN_SPLIT = 16;

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
 * The verifiable access log: an append-only RFC 6962 Merkle tree in Postgres. Appends are
 * group-committed — one transaction per batch checks and counts its guarded reads' uses, inserts the
 * leaves, the access events and every subtree the batch completed, and moves the log's size (and
 * last leaf) only from where it expected it, so several API instances never leave a gap. Two
 * batches are in flight at once, each on its own connection and pipelined (one round trip to check
 * and count, one for the rest with its COMMIT): while one commits, the next is checked and built on
 * the tree its predecessor will leave. Each caller's promise resolves with its leaf index only once
 * all of that is durable.
 */
export class AccessLog implements AccessRecorder, AccessHistory {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Batches between their BEGIN and their outcome. */
  private readonly inFlight = new Set<Promise<void>>();
  /** One batch at a time is checked and built, in order: each builds on the tree its predecessor leaves. */
  private building = false;
  /** The log's right edge after every batch built so far, and its last leaf's hash; unknown after a failure. */
  private frontier: { tree: Frontier; lastLeaf: Buffer | null } | undefined;
  /** Bumped by every failed batch: a batch built on an older edge cannot hand it on. */
  private generation = 0;
  /**
   * Settles once the latest batch sent has moved the log's row (holding its lock until it commits)
   * or failed to: the next batch sends its own move only then, so it queues on that lock instead of
   * overtaking its predecessor and finding the log not yet where it expects it.
   */
  private lastMove: Promise<unknown> = Promise.resolve();

  /**
   * `maxInFlight` is two: one batch committing (its WAL flush) and the next already checked, built
   * and sent, queued on the log's row, so the flushes follow each other with no round trip between
   * them. Batches commit one after the other whatever the depth (each holds the row until its
   * flush), so a deeper pipeline only splits the same reads over more flushes.
   */
  constructor(
    private readonly sql: Sql,
    private readonly maxBatch = 1_000,
    private readonly maxInFlight = 2,
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
  async append(
    kind: Exclude<LeafKind, 'data_read'>,
    entry: Record<string, unknown>,
    transactionId?: string,
    link?: LeafLink,
  ): Promise<{ leafIndex: number; linked?: boolean }> {
    const { leafIndex } = await this.enqueue({
      kind,
      entry: canonicalJson({ v: 1, kind, ...entry }),
      ...(transactionId ? { transactionId } : {}),
      ...(link ? { link } : {}),
    });
    return link ? { leafIndex, linked: true } : { leafIndex };
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

  private enqueue(p: Omit<Pending, 'done' | 'attempts'>): Promise<{ leafIndex: number; event?: AccessEvent }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...p, attempts: 0, done: (err, result) => (err ? reject(err) : resolve(result!)) });
      this.schedule();
    });
  }

  /** Appends made in the same turn of the event loop go together. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Starts the next batch when none is being built and fewer than `maxInFlight` are committing;
   * appends arriving meanwhile wait for it, so batches grow with the load instead of splitting it.
   */
  private pump(): void {
    if (this.building || this.queue.length === 0 || this.inFlight.size >= this.maxInFlight) return;
    this.building = true;
    // With nothing in flight, a long queue is split in two: the second half's rows are written while
    // the first half commits, instead of every caller waiting for one batch's build, write and flush in turn.
    const take = this.inFlight.size === 0 && this.queue.length >= 2 * MIN_SPLIT ? Math.ceil(this.queue.length / 2) : this.maxBatch;
    const batch = this.queue.splice(0, Math.min(take, this.maxBatch));
    const flight: Promise<void> = this.flush(batch, () => {
      this.building = false;
      this.pump();
    }).finally(() => {
      this.inFlight.delete(flight);
      this.pump();
    });
    this.inFlight.add(flight);
  }

  /**
   * One batch: BEGIN and the guard in one round trip; then, built on the edge its predecessors
   * leave, the log's move, the leaves, nodes, events and ledger ties, and the COMMIT in a second.
   * `built` is called once the second part is sent (or the batch gave up), so the next batch starts.
   */
  private async flush(batch: Pending[], built: () => void): Promise<void> {
    let handedOn = false;
    const handOn = () => {
      if (handedOn) return;
      handedOn = true;
      built();
    };
    let tx: postgres.ReservedSql | undefined;
    let moveSettled: (() => void) | undefined;
    /** Postgres dropped the reserved connection under this batch: the driver has it back already. */
    let lost = false;
    let pending = batch;
    try {
      const generation = this.generation;
      if (!this.frontier) {
        // After a failure (or at the start) the edge is read back once every earlier batch has settled.
        // (This batch is not among them yet: it is added once this call returns its promise.)
        await Promise.allSettled([...this.inFlight]);
        const [state] = await this.sql<{ size: string; last_leaf: Buffer | null }[]>`select size, last_leaf from log_state`;
        this.frontier = { tree: await loadFrontier(this.sql, Number(state!.size)), lastLeaf: state!.last_leaf };
      }
      tx = await reserveWithin(this.sql, RESERVE_WITHIN_MS);
      // Sent in this order, in one write: a query goes out when first awaited. A batch with no guarded
      // read has nothing to learn before it is built, so its BEGIN goes with the rest instead of alone.
      const began = tx`begin`.execute();
      // Its failure is read with the batch's other statements (or the batch gave up before): never unhandled meanwhile.
      began.catch(() => undefined);
      const guarded = pending.some((p) => p.guard) ? guardReads(tx, pending) : undefined;
      const [, recorded] = guarded ? await Promise.all([began, guarded]) : [undefined, pending.map((p) => p.event)];
      // Built on the edge the predecessor left when it was built (not yet committed, maybe not yet moved).
      if (generation !== this.generation || !this.frontier) throw new StaleBatch();

      const base = this.frontier;
      const start = base.tree.size;
      const tree = base.tree.clone();
      const rows: BatchRows = { start, leaves: [], nodes: [], events: [] };
      pending.forEach((p, i) => {
        const event = recorded[i];
        const entry = event && event !== p.event ? accessEventEntry(event) : p.entry;
        const hash = leafHash(entry);
        rows.leaves.push({ kind: p.kind, entry, hash });
        for (const n of tree.append(hash)) rows.nodes.push(n);
        if (event) rows.events.push({ event, leafIndex: start + i });
      });
      const tied = pending.flatMap((p, i) => (p.transactionId ? [{ transaction_id: p.transactionId, leaf_index: start + i }] : []));
      const metered = pending.flatMap((p, i) => (p.link?.table === 'metering_events' ? [{ id: p.link.id, leaf: start + i }] : []));
      const lastLeaf = rows.leaves.at(-1)!.hash;
      // The next batch builds on this one's edge; should this one fail, the generation moves and it cannot commit.
      this.frontier = { tree, lastLeaf };
      // The rows go first, while the predecessor still holds the log's row: their leaf indices are this
      // batch's own, so they wait for nothing, and they are written during the predecessor's flush.
      // Should the predecessor fail, this batch's move finds the log elsewhere and all of it rolls back.
      const rowsWritten = [
        insertBatchRows(tx, rows).execute(),
        ...(tied.length > 0 ? [tx`insert into ledger_leaves ${tx(tied)}`.execute()] : []),
        ...(metered.length > 0
          ? [
              tx`update metering_events m set leaf_index = v.leaf_index
                 from (select unnest(${metered.map((m) => m.id)}::uuid[]) as id, unnest(${metered.map((m) => m.leaf)}::bigint[]) as leaf_index) v
                 where m.id = v.id and m.leaf_index is null`.execute(),
            ]
          : []),
      ];
      for (const w of rowsWritten) w.catch(() => undefined);
      // The move goes once the predecessor's has taken the log's row, so it queues behind it, never ahead.
      await this.lastMove;
      if (generation !== this.generation) throw new StaleBatch();
      const move = tx`select advance_log(${start}, ${pending.length}, ${base.lastLeaf}, ${lastLeaf})`;
      // Settled by the move's answer, or by this batch's end: a move the driver still held back when
      // the connection died is never answered, and the batches after it must not wait for it.
      this.lastMove = new Promise<void>((resolve) => {
        moveSettled = resolve;
        move.then(
          () => resolve(),
          () => resolve(),
        );
      });
      const statements = [began, ...rowsWritten, move];
      const commit = tx`commit`;
      handOn();
      const results = await settledUnlessLost([...statements, commit]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isAborted(r.reason));
      if (failed) throw failed.reason;
      const committed = results.at(-1)!;
      if (committed.status !== 'fulfilled' || (committed.value as { command?: string }).command !== 'COMMIT') throw new StaleBatch();
      pending.forEach((p, i) => p.done(undefined, { leafIndex: start + i, ...(recorded[i] ? { event: recorded[i] } : {}) }));
      pending = [];
    } catch (err) {
      this.frontier = undefined;
      this.generation += 1;
      // If Postgres dropped the connection, it rolled the transaction back itself, and a statement
      // sent on it now would never be answered: the connection is neither used nor released again.
      lost = tx !== undefined && connectionLost(err);
      if (tx && !lost) await tx`rollback`.catch((e: unknown) => (lost = connectionLost(e)));
      pending = await this.settleFailed(pending, err);
    } finally {
      if (!lost) tx?.release();
      moveSettled?.();
      handOn();
    }
    if (pending.length > 0) {
      this.queue.unshift(...pending);
      this.schedule();
    }
  }

  /**
   * What becomes of a failed batch's entries: a ledger transaction that already has its leaf is
   * answered with it; on a stale edge the rest go again (a few times); any other failure fails them.
   * Returns the entries to queue again.
   */
  private async settleFailed(pending: Pending[], err: unknown): Promise<Pending[]> {
    const constraint = (err as { constraint_name?: string }).constraint_name;
    if (constraint === 'ledger_leaves_pkey') {
      const ids = pending.flatMap((p) => (p.transactionId ? [p.transactionId] : []));
      try {
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
      } catch (lookupError) {
        for (const p of pending) p.done(lookupError);
        return [];
      }
      return pending;
    }
    const code = (err as { code?: string }).code;
    const stale = err instanceof StaleBatch || (constraint !== undefined && TAKEN_POSITIONS.has(constraint)) || (code !== undefined && STALE_CODES.has(code));
    const again: Pending[] = [];
    for (const p of pending) {
      p.attempts += 1;
      if (stale && p.attempts < MAX_ATTEMPTS) again.push(p);
      else p.done(err);
    }
    return again;
  }
}

/**
 * Checks and counts the guarded reads of a batch inside its transaction, and answers each pending
 * entry's access event as it will be recorded: unchanged, or DENIED when its consent is no longer
 * active (or a revoke or pause is pending) or its period's allowance is spent.
 */
async function guardReads(tx: postgres.ReservedSql, pending: Pending[]): Promise<(AccessEvent | undefined)[]> {
  const guarded = pending.flatMap((p) => (p.guard && p.event ? [{ p, event: p.event, guard: p.guard }] : []));
  if (guarded.length === 0) return pending.map((p) => p.event);
  // One entry per (consent, period), in consent order; its reads are granted in the batch's order.
  const groups = new Map<string, { consentId: string; period: string; limit: number; reads: typeof guarded }>();
  for (const g of guarded) {
    const key = `${g.event.consentId}|${g.guard.period}`;
    const group = groups.get(key) ?? { consentId: g.event.consentId, period: g.guard.period, limit: g.guard.limit, reads: [] };
    group.reads.push(g);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => (a.consentId < b.consentId ? -1 : a.consentId > b.consentId ? 1 : a.period < b.period ? -1 : 1));
  const taken = await tx<{ usable: boolean; taken: number }[]>`
    select usable, taken from take_uses(${ordered.map((g) => g.consentId)}::uuid[], ${ordered.map((g) => g.period)}::text[],
                                        ${ordered.map((g) => g.reads.length)}::int[], ${ordered.map((g) => g.limit)}::int[])`;
  const verdict = new Map<Pending, AccessEvent>();
  ordered.forEach((group, i) => {
    const { usable, taken: granted } = taken[i]!;
    group.reads.slice(granted).forEach(({ p, event }) => {
      verdict.set(p, { ...event, outcome: 'DENIED', reason: usable ? 'frequency_exceeded' : 'not_active', usagePeriod: undefined });
    });
  });
  return pending.map((p) => verdict.get(p) ?? p.event);
}

/** A batch built on an edge that a failed predecessor invalidated, or whose COMMIT came back as a rollback. */
class StaleBatch extends Error {}

/** "current transaction is aborted": a statement after the one that failed, in the same pipeline. */
function isAborted(err: unknown): boolean {
  return (err as { code?: string }).code === '25P02';
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
