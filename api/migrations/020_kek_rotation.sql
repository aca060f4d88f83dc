-- KEK rotation (issue 15 item 8). A rotation rewraps every data key sealed under one KEK version with
-- another, in batches; each batch's rewrapped keys and the job's cursor and counts commit together,
-- so a job killed part-way resumes where its last batch committed. At most one rotation runs.
create table kek_rotations (
  id uuid primary key,
  from_version integer not null,
  to_version integer not null check (to_version <> from_version),
  -- keys under from_version when the job started (plus any found by a later pass)
  total bigint not null,
  rewrapped bigint not null default 0,
  -- keys changed under the job between its read and its write (an erasure): left as they are
  skipped bigint not null default 0,
  -- the last subject id of the last committed batch (keyset pagination); null at the start of a pass
  cursor uuid,
  pass integer not null default 1,
  started_by text not null,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
create unique index kek_rotations_one_running on kek_rotations ((true)) where finished_at is null;

-- A retired KEK version unwraps nothing any more. Retiring is refused while a subject's key is
-- still wrapped under the version; this trigger keeps it so against any later writer (an instance
-- still configured with the old version as its current one).
create table retired_kek_versions (
  version integer primary key,
  retired_at timestamptz not null default now()
);

create function subjects_refuse_retired_kek() returns trigger language plpgsql as $$
begin
  if new.wrapped_key is not null and exists (select 1 from retired_kek_versions where version = new.kek_version) then
    raise exception 'KEK version % is retired: no data key may be wrapped under it', new.kek_version using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger subjects_refuse_retired_kek before insert or update of wrapped_key, kek_version on subjects
  for each row execute function subjects_refuse_retired_kek();
