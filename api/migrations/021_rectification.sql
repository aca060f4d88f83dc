-- Rectification (PDPL 2025 right to correct; issue 15 item 3). A correction is a new version of a
-- record: it is written unconfirmed, its commitment goes to the ledger, then in one transaction it is
-- confirmed and the version it replaces is marked superseded. Superseded versions are kept for audit;
-- reads serve the confirmed version nobody superseded.
alter table record_versions add column confirmed boolean not null default true;
alter table record_versions add column superseded_at timestamptz;
alter table record_versions add column superseded_by integer;
-- The rectification task a version answers, so a retried acceptance finds the version it already made.
alter table record_versions add column correction_ref uuid;
create unique index record_versions_one_current on record_versions (record_id) where confirmed and superseded_at is null;

-- The values a citizen proposes, sealed with their data key (bound to subject, request and field):
-- never in clear, and unreadable once the key is shredded.
create table rectification_values (
  request_id uuid not null references rights_requests (id),
  field text not null,
  sealed_value bytea not null,
  primary key (request_id, field)
);

-- One task per record holding a field the citizen asks to correct, for the custodian that deposited it.
create table rectification_tasks (
  id uuid primary key,
  request_id uuid not null references rights_requests (id),
  subject_id uuid not null references subjects (id),
  custodian_org_id uuid not null references organizations (id),
  record_id uuid not null references records (id),
  category text not null,
  -- Field names of the record's category ('province', not 'residence.province').
  fields text[] not null,
  -- The record's version when the task was made: the one the correction supersedes.
  base_version integer not null,
  status text not null check (status in ('OPEN', 'ACCEPTED', 'REJECTED')),
  created_at timestamptz not null,
  resolved_at timestamptz,
  reject_reason text,
  new_version integer,
  check ((status = 'OPEN') = (resolved_at is null)),
  check (status <> 'REJECTED' or reject_reason is not null),
  check (status <> 'ACCEPTED' or new_version is not null)
);
create index rectification_tasks_by_custodian on rectification_tasks (custodian_org_id, status, created_at);
create index rectification_tasks_by_request on rectification_tasks (request_id);

-- The custodian resolving the last task moves the request on: its steps are the custodian's.
alter table rights_request_transitions drop constraint rights_request_transitions_actor_check;
alter table rights_request_transitions add constraint rights_request_transitions_actor_check check (actor in ('citizen', 'operator', 'custodian'));
