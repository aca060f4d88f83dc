-- The breach register (PDPL 2025, Decree 356/2025: the authority is notified within 72 hours of
-- detection). A breach names the consumers, fields and time window involved; the citizens affected
-- are computed from the access log, and appear here only by the vault's pseudonymous subject id.
create table breaches (
  id uuid primary key,
  summary text not null,
  detected_at timestamptz not null,
  recorded_at timestamptz not null,
  notify_due_at timestamptz not null,
  data_categories text[] not null,
  consumer_org_ids uuid[] not null,
  fields text[] not null,
  window_from timestamptz not null,
  window_to timestamptz not null check (window_to > window_from),
  consequences text not null default '',
  measures text not null default '',
  contact text not null default '',
  late_reason text not null default '',
  authority_notified_at timestamptz,
  state text not null check (state in ('OPEN', 'CLOSED')),
  closed_at timestamptz,
  affected_subjects int not null default 0,
  affected_reads int not null default 0,
  -- The number of versions written: an update is written only over the version it was decided on.
  version int not null check (version >= 1)
);
create index breaches_open on breaches (notify_due_at) where state = 'OPEN';

-- Who is affected, as of the breach's latest version: one row per citizen, with the fields and
-- consumers of their reads that fall inside the breach. The citizen's notice is this row.
create table breach_subjects (
  breach_id uuid not null references breaches (id),
  subject_id uuid not null references subjects (id),
  fields text[] not null,
  consumer_org_ids uuid[] not null,
  reads int not null,
  first_read_at timestamptz not null,
  last_read_at timestamptz not null,
  notified_at timestamptz not null,
  primary key (breach_id, subject_id)
);
create index breach_subjects_by_subject on breach_subjects (subject_id);

-- Every version of a breach, written in the same transaction as the breach; ledger_record is the
-- exact record for the ledger (hashes, times, counts), and recorded_tx_id stays null until the
-- ledger has it: the outbox the breach worker drains, in order, after a crash or a ledger outage.
create table breach_versions (
  breach_id uuid not null references breaches (id),
  version int not null,
  action text not null check (action in ('record', 'update', 'close')),
  at timestamptz not null,
  record_hash text not null,
  ledger_record jsonb not null,
  recorded_tx_id text,
  recorded_at timestamptz,
  ledger_attempts int not null default 0,
  ledger_error text,
  primary key (breach_id, version)
);
create index breach_versions_pending on breach_versions (breach_id, version) where recorded_tx_id is null;

-- The organisations to tell of each version, written with it: queued_at stays null until the
-- webhooks capability's outbox has the event, so a crash between the two never loses a notice.
create table breach_org_notices (
  breach_id uuid not null references breaches (id),
  version int not null,
  organization_id uuid not null references organizations (id),
  event_type text not null,
  data jsonb not null,
  queued_at timestamptz,
  attempts int not null default 0,
  last_error text,
  primary key (breach_id, version, organization_id)
);
create index breach_org_notices_pending on breach_org_notices (breach_id, version) where queued_at is null;
