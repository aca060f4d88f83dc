-- The vault. No national id is stored in clear: citizens are found by a keyed hash (blind index).
-- Each citizen has a random data key, kept only sealed by the key-encryption key (KEK); every field
-- is sealed with it, bound to subject, record, field and version. Destroying the sealed key erases
-- the citizen (crypto-shredding).
create table subjects (
  id uuid primary key,
  national_id_index bytea not null unique,
  wrapped_key bytea,
  kek_version integer not null default 1,
  created_at timestamptz not null default now(),
  erased_at timestamptz
);

create table records (
  id uuid primary key,
  subject_id uuid not null references subjects (id),
  category text not null,
  custodian_org_id uuid not null references organizations (id),
  created_at timestamptz not null default now()
);
create index records_by_subject on records (subject_id);

create table record_versions (
  record_id uuid not null references records (id),
  version integer not null,
  fields jsonb not null,
  sealed_salt bytea not null,
  commitment text not null,
  created_at timestamptz not null default now(),
  primary key (record_id, version)
);
