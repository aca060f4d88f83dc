-- Data-subject requests (PDPL 2025, Decree 356/2025): each a persisted state machine with its
-- deadlines. The citizen appears only by the vault's pseudonymous subject id.
create table rights_requests (
  id uuid primary key,
  subject_id uuid not null,
  kind text not null check (kind in ('EXPORT', 'RECTIFY', 'ERASE', 'RESTRICT', 'OBJECT', 'WITHDRAW_ALL')),
  fields text[] not null default '{}',
  state text not null check (state in ('RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'EXTENDED', 'COMPLETED', 'REFUSED')),
  processor_must_act boolean not null default false,
  received_at timestamptz not null,
  reply_due_at timestamptz not null,
  due_at timestamptz not null,
  acknowledged_at timestamptz,
  started_at timestamptz,
  closed_at timestamptz,
  extended_at timestamptz,
  extension_days int check (extension_days between 1 and 15),
  extension_reason text,
  previous_due_at timestamptz,
  refusal_reason text,
  -- The number of transitions applied: a transition is written only over the version it was decided on.
  version int not null check (version >= 1)
);
create index rights_requests_by_subject on rights_requests (subject_id, received_at desc);
create index rights_requests_open on rights_requests (due_at) where state not in ('COMPLETED', 'REFUSED');

-- Every transition, written in the same transaction as the state it leads to; ledger_record is the
-- exact record for the ledger, and recorded_tx_id stays null until the ledger has it (the outbox the
-- rights ledger worker drains, in order, after a crash or a ledger outage).
create table rights_request_transitions (
  request_id uuid not null references rights_requests (id),
  seq int not null,
  action text not null,
  from_state text,
  to_state text not null,
  at timestamptz not null,
  due_at timestamptz not null,
  reason text,
  actor text not null check (actor in ('citizen', 'operator')),
  ledger_record jsonb not null,
  recorded_tx_id text,
  recorded_at timestamptz,
  ledger_attempts int not null default 0,
  ledger_error text,
  primary key (request_id, seq)
);
create index rights_request_transitions_pending on rights_request_transitions (request_id, seq) where recorded_tx_id is null;
