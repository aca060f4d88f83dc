-- Nothing lost, nothing stuck (issue 14).

-- A revoke or pause blocks reads in the read model before it goes to the ledger; the block is
-- lifted when the ledger commits (the new status takes over) or refuses.
alter table consents add column blocked_by text check (blocked_by in ('revoke', 'pause'));
alter table consents add column blocked_at timestamptz;

-- What a consent request writes before it goes to the ledger: what the ledger does not hold (the
-- justification, the artefact and its salt). If the process dies after the ledger committed, the
-- repair sweep makes the read-model row from it; if the ledger never committed, the sweep drops it.
-- request_ref names the Idempotency-Key the request came with, so its retry finds the consent the
-- first attempt made instead of asking the ledger for a second one.
create table consent_intents (
  id uuid primary key,
  consent jsonb not null,
  artefact_salt bytea not null,
  request_ref text,
  created_at timestamptz not null default now()
);
create index consent_intents_by_ref on consent_intents (request_ref) where request_ref is not null;
alter table consents add column request_ref text;
create index consents_by_request_ref on consents (request_ref) where request_ref is not null;

-- The leaf that records a ledger transaction (a consent decision, a deposit): each gets exactly one.
create table ledger_leaves (
  transaction_id text primary key,
  leaf_index bigint not null references log_leaves (leaf_index)
);
-- Decisions recorded before this table existed are found by their consent (see the repair sweep).
create index log_leaves_decisions on log_leaves ((entry::jsonb ->> 'consentId')) where kind = 'consent_decision';
create index log_leaves_deposits on log_leaves ((entry::jsonb ->> 'recordId')) where kind = 'record_deposit';

-- A deposit is written (sealed) before its commitment goes to the ledger, and shown only once the
-- commitment has committed: a crash in between leaves work the sweep finishes or drops.
alter table records add column confirmed boolean not null default true;
-- The Idempotency-Key a deposit came with (an opaque ref), so its retry finds the first attempt's record.
alter table records add column request_ref text;
create index records_by_request_ref on records (request_ref) where request_ref is not null;

-- The repair sweep's position in the projected ledger events, and what it has repaired.
create table repair_state (
  singleton boolean primary key default true check (singleton),
  next_block bigint not null default 0,
  runs bigint not null default 0,
  last_run_at timestamptz,
  repaired jsonb not null default '{}'
);
insert into repair_state default values;
