-- Erasure by crypto-shredding, legal holds, and restriction or objection (PDPL 2025, issue 15 items 4
-- and 5). Citizens appear only by the vault's pseudonymous subject id.

-- A legal hold blocks erasure while it is active. The reason is the operator's (a court order, an
-- investigation): it stays here; the ledger gets its SHA-256.
create table legal_holds (
  id uuid primary key,
  subject_id uuid not null,
  reason text not null,
  placed_at timestamptz not null,
  lifted_at timestamptz,
  lift_reason text
);
create index legal_holds_active on legal_holds (subject_id) where lifted_at is null;

-- A completed RESTRICT or OBJECT request restricts its subject until the restriction is lifted: reads
-- of their data are refused and they are left out of statistics.
create table subject_restrictions (
  request_id uuid primary key references rights_requests (id),
  subject_id uuid not null,
  kind text not null check (kind in ('RESTRICT', 'OBJECT')),
  placed_at timestamptz not null,
  lifted_at timestamptz,
  lift_reason text
);
create index subject_restrictions_active on subject_restrictions (subject_id) where lifted_at is null;

-- Statistics leave out a restricted citizen the way they leave out one who opted out; the two stay
-- apart so lifting a restriction does not undo the citizen's own opt-out.
alter table statistics_profiles add column restricted boolean not null default false;

create or replace function statistics_cube_follow() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and not (old.opted_out or old.restricted) then
    update statistics_cube set n = n - 1
    where province = coalesce(old.province, '') and birth_year = coalesce(old.birth_year, 0)
      and sex = coalesce(old.sex, '') and insurance_status = coalesce(old.insurance_status, '');
  end if;
  if tg_op in ('INSERT', 'UPDATE') and not (new.opted_out or new.restricted) then
    insert into statistics_cube (province, birth_year, sex, insurance_status, n)
    values (coalesce(new.province, ''), coalesce(new.birth_year, 0), coalesce(new.sex, ''), coalesce(new.insurance_status, ''), 1)
    on conflict (province, birth_year, sex, insurance_status) do update set n = statistics_cube.n + 1;
  end if;
  return null;
end $$;

-- Who may fetch an erasure certificate once the blind index no longer resolves them: set when an
-- ERASE request is filed, while the citizen is signed in. claim_hash is HMAC-SHA256 under a key
-- derived from the vault's index key over a random per-request salt and the national id, so it
-- matches nothing else and cannot be searched without the key. token_subject (the citizen's token
-- subject, what their sessions and Idempotency-Keys are filed under) is kept only until the erasure
-- deletes those, then cleared.
create table erasure_claims (
  request_id uuid primary key references rights_requests (id),
  claim_salt bytea not null,
  claim_hash bytea not null,
  token_subject text
);

-- An erasure in progress or done: the steps finished so far, so a crash part-way is finished by the
-- sweep, never left half-applied; then the signed certificate.
create table erasures (
  request_id uuid primary key references rights_requests (id),
  subject_id uuid not null,
  steps text[] not null default '{}',
  started_at timestamptz not null,
  shredded_at timestamptz,
  revoked_consents uuid[] not null default '{}',
  deleted_copies jsonb not null default '{}',
  storage_compacted boolean,
  certificate jsonb,
  certificate_jws text,
  certificate_hash text,
  finished_at timestamptz
);
create index erasures_unfinished on erasures (started_at) where finished_at is null;

-- Holds, restrictions and certificates bound for the ledger (rights.RecordSubjectControl): the outbox
-- the rights worker drains, as it does for request steps.
create table subject_control_events (
  id uuid primary key,
  subject_id uuid not null,
  type text not null,
  record jsonb not null,
  created_at timestamptz not null default now(),
  recorded_tx_id text,
  recorded_at timestamptz,
  ledger_attempts int not null default 0,
  ledger_error text
);
create index subject_control_events_pending on subject_control_events (created_at) where recorded_tx_id is null;

-- ANALYZE would copy sample values of these columns into pg_statistic, a copy an erasure cannot reach.
alter table subjects alter column wrapped_key set statistics 0, alter column national_id_index set statistics 0;
