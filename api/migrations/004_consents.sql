-- The consent read model: the ledger is the source of truth; each decision made through the API is
-- written here as soon as its transaction commits, before the HTTP answer.
create table consents (
  id uuid primary key,
  subject_id uuid not null references subjects (id),
  consumer_org_id uuid not null references organizations (id),
  purpose text not null,
  requested_fields text[] not null,
  granted_fields text[] not null default '{}',
  access_mode jsonb not null,
  valid_from timestamptz not null,
  valid_until timestamptz not null,
  retention_days integer not null,
  onward_transfer boolean not null,
  cross_border boolean not null,
  justification text not null,
  status text not null,
  artefact jsonb not null,
  artefact_salt bytea not null,
  artefact_hash text not null,
  requested_at timestamptz not null,
  decided_at timestamptz,
  updated_at timestamptz not null
);
create index consents_by_subject on consents (subject_id, requested_at desc);
create index consents_by_consumer on consents (consumer_org_id, requested_at desc);

-- Every attempt to read personal data, granted or denied; durable before any data leaves.
create table access_events (
  id uuid primary key,
  consent_id uuid not null references consents (id),
  subject_id uuid not null references subjects (id),
  consumer_org_id uuid not null references organizations (id),
  purpose text not null,
  fields text[] not null,
  outcome text not null check (outcome in ('GRANTED', 'DENIED')),
  reason text,
  usage_period text,
  at timestamptz not null
);
create index access_events_by_subject on access_events (subject_id, at desc);
create index access_events_usage on access_events (consent_id, usage_period) where outcome = 'GRANTED';
