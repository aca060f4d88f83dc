import type postgres from 'postgres';
import type { AccessEvent } from './access-recorder.js';

/** What one batch of the access log writes, built on the edge its predecessor leaves. */
export interface BatchRows {
  /** The first leaf's index; the leaves follow it without a gap. */
  start: number;
  leaves: { kind: string; entry: string; hash: Buffer }[];
  nodes: { level: number; index: number; hash: Buffer }[];
  events: { event: AccessEvent; leafIndex: number }[];
}

/**
 * The batch's leaves, the subtrees it completed and its access events in ONE statement whose text
 * depends only on whether there are events: each column goes as one array (`unnest`), and the
 * hashes as one concatenated `bytea`, cut back into 32-byte pieces in SQL. So the statement is
 * parsed and planned once per connection, whatever the batch size, and the rows cost no per-row
 * parameters (a `values (…), (…)` list of 4 × n parameters is a new statement for every n).
 */
export function insertBatchRows(tx: postgres.ReservedSql, rows: BatchRows): postgres.PendingQuery<postgres.Row[]> {
  const { start, leaves, nodes, events } = rows;
  // Timestamps go as ISO strings: postgres.js would announce an array of Dates as a single timestamptz.
  const leafRows = tx`
    leaves as (
      insert into log_leaves (leaf_index, kind, entry, leaf_hash)
      select ${start}::bigint + t.i - 1, t.kind, t.entry, substring(${Buffer.concat(leaves.map((l) => l.hash))}::bytea from t.i::int * 32 - 31 for 32)
      from unnest(${leaves.map((l) => l.kind)}::text[], ${leaves.map((l) => l.entry)}::text[]) with ordinality as t(kind, entry, i)
    )`;
  const eventRows =
    events.length === 0
      ? tx``
      : tx`,
    events as (
      insert into access_events (id, consent_id, subject_id, consumer_org_id, purpose, fields, outcome, reason, usage_period, at, leaf_index)
      select t.id, t.consent_id, t.subject_id, t.consumer_org_id, t.purpose, t.fields::text[], t.outcome, t.reason, t.usage_period, t.at, t.leaf_index
      from unnest(${events.map((e) => e.event.id)}::uuid[], ${events.map((e) => e.event.consentId)}::uuid[], ${events.map((e) => e.event.subjectId)}::uuid[],
                  ${events.map((e) => e.event.consumerOrgId)}::uuid[], ${events.map((e) => e.event.purpose)}::text[],
                  ${events.map((e) => textArrayLiteral(e.event.fields))}::text[], ${events.map((e) => e.event.outcome)}::text[],
                  ${events.map((e) => e.event.reason ?? null)}::text[], ${events.map((e) => e.event.usagePeriod ?? null)}::text[],
                  ${events.map((e) => e.event.at.toISOString())}::timestamptz[], ${events.map((e) => e.leafIndex)}::bigint[])
        as t(id, consent_id, subject_id, consumer_org_id, purpose, fields, outcome, reason, usage_period, at, leaf_index)
    )`;
  return tx`
    with ${leafRows}${eventRows}
    insert into log_nodes (level, idx, hash)
    select t.level, t.idx, substring(${Buffer.concat(nodes.map((n) => n.hash))}::bytea from t.i::int * 32 - 31 for 32)
    from unnest(${nodes.map((n) => n.level)}::smallint[], ${nodes.map((n) => n.index)}::bigint[]) with ordinality as t(level, idx, i)`;
}

/** A Postgres array literal of strings (`{"a","b"}`), sent as one element of a `text[]` and cast back to `text[]` per row. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}
