-- The verifiable access log (RFC 6962 Merkle tree). One row holds the size, so appends from any
-- API instance take consecutive leaf indices under its row lock and the tree has no gaps.
create table log_state (
  singleton boolean primary key default true check (singleton),
  size bigint not null
);
insert into log_state (size) values (0);

-- Each leaf keeps the exact bytes that were hashed (canonical JSON), so anyone shown an entry can
-- recompute its leaf hash. Pseudonymous ids only: no names, no identity numbers, no field values.
create table log_leaves (
  leaf_index bigint primary key,
  kind text not null,
  entry text not null,
  leaf_hash bytea not null,
  appended_at timestamptz not null default now()
);

-- Complete, aligned subtrees above the leaves: hash of leaves [idx·2^level, (idx+1)·2^level).
create table log_nodes (
  level smallint not null,
  idx bigint not null,
  hash bytea not null,
  primary key (level, idx)
);

-- Signed tree heads, and where each was anchored on the ledger.
create table log_tree_heads (
  tree_size bigint primary key,
  root_hash text not null,
  signed_at timestamptz not null,
  key_id text not null,
  signature text not null,
  anchor_transaction_id text,
  anchor_block bigint,
  anchor_error text
);

alter table access_events add column leaf_index bigint unique references log_leaves (leaf_index);
create index access_events_by_consumer on access_events (consumer_org_id, at desc);
create index access_events_by_consent on access_events (consent_id, at desc);
create index access_events_by_time on access_events (at desc, id desc);
