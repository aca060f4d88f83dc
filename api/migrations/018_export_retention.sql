-- Issue 15, items 2 and 6: data-subject exports, and consumers' deletion deadlines.

-- An EXPORT request once carried out: the snapshot its bundle is generated from on download. No
-- personal data and no bundle: only the signed tree head the access history is proven against, and
-- what the bundle held when it was produced. The bundle itself is generated from the vault on each
-- download, so no plaintext copy of it is ever at rest.
create table rights_exports (
  request_id uuid primary key references rights_requests (id),
  subject_id uuid not null,
  -- The access history is the subject's events in the first tree_size leaves of the log; each is
  -- proven against the signed head of that size.
  tree_size bigint not null check (tree_size >= 0),
  as_of timestamptz not null,
  counts jsonb not null,
  produced_at timestamptz not null
);

-- Every granted read gives its consumer a deletion deadline: the read's time plus the consent's
-- retentionDays as the consent stood at the moment of the read. The row is written by the same
-- statement that records the read, so no read escapes it and the deadline never follows a later
-- change of the consent.
create table retention_deadlines (
  access_event_id uuid primary key references access_events (id) on delete cascade,
  consent_id uuid not null,
  subject_id uuid not null,
  consumer_org_id uuid not null,
  fields text[] not null,
  read_at timestamptz not null,
  retention_days integer not null,
  delete_by timestamptz not null,
  -- The consumer's confirmation that it deleted what it read (first confirmation stays).
  deletion_confirmed_at timestamptz
);
create index retention_by_consumer on retention_deadlines (consumer_org_id, delete_by, access_event_id);
create index retention_by_subject on retention_deadlines (subject_id, read_at desc, access_event_id);
create index retention_unconfirmed on retention_deadlines (delete_by, access_event_id) where deletion_confirmed_at is null;

create function retention_deadline_follow() returns trigger language plpgsql as $$
begin
  insert into retention_deadlines (access_event_id, consent_id, subject_id, consumer_org_id, fields, read_at, retention_days, delete_by)
  select e.id, e.consent_id, e.subject_id, e.consumer_org_id, e.fields, e.at, c.retention_days, e.at + make_interval(hours => c.retention_days * 24)
  from recorded_reads e join consents c on c.id = e.consent_id
  where e.outcome = 'GRANTED'
  on conflict (access_event_id) do nothing;
  return null;
end $$;

-- One statement-level trigger per insert: a batch of reads (the log's group commit) costs one more insert.
create trigger retention_deadline_follow after insert on access_events
  referencing new table as recorded_reads
  for each statement execute function retention_deadline_follow();

-- Reads recorded before this migration get their deadline from their consent's retentionDays.
insert into retention_deadlines (access_event_id, consent_id, subject_id, consumer_org_id, fields, read_at, retention_days, delete_by)
select e.id, e.consent_id, e.subject_id, e.consumer_org_id, e.fields, e.at, c.retention_days, e.at + make_interval(hours => c.retention_days * 24)
from access_events e join consents c on c.id = e.consent_id
where e.outcome = 'GRANTED';
