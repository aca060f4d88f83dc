-- The data exchange's read model and metering. The ledger holds products, licences and anchored
-- statement totals; Postgres holds their descriptions, the metering, and the statistics projection.

-- Coarse, derived attributes of each citizen for aggregate products: never a name, an id or an
-- exact date. Kept up to date when records are deposited; a citizen who opts out of statistical use
-- stays here (so the choice survives new deposits) but is left out of every statistic.
create table statistics_profiles (
  subject_id uuid primary key references subjects (id) on delete cascade,
  province text,
  birth_year smallint,
  sex text,
  insurance_status text,
  opted_out boolean not null default false,
  updated_at timestamptz not null default now()
);

create table products (
  id uuid primary key,
  provider_org_id uuid not null references organizations (id),
  kind text not null check (kind in ('AGGREGATE', 'CONSENTED', 'DATASET')),
  status text not null,
  title jsonb not null,
  description jsonb not null,
  output_schema jsonb not null,
  terms jsonb not null,
  plans jsonb not null,
  -- AGGREGATE: dimensions and differential privacy; CONSENTED: purpose and fields; DATASET: delivery.
  spec jsonb not null,
  description_hash text not null,
  terms_hash text,
  prelisting_flags jsonb not null default '[]',
  rejection_reason text,
  on_ledger boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index products_by_status on products (status, created_at desc);
create index products_by_provider on products (provider_org_id, created_at desc);

create table licences (
  id uuid primary key,
  product_id uuid not null references products (id),
  buyer_org_id uuid not null references organizations (id),
  plan_id text not null,
  plan jsonb not null,
  purpose text not null,
  status text not null,
  quota jsonb,
  terms_hash text not null,
  valid_from timestamptz not null,
  valid_until timestamptz not null,
  -- Differential privacy budget in millionths of epsilon, so it is spent with integer arithmetic.
  privacy_budget_micro bigint,
  privacy_spent_micro bigint not null default 0,
  issued_at timestamptz not null,
  updated_at timestamptz not null
);
create index licences_by_buyer on licences (buyer_org_id, issued_at desc);
create index licences_by_product on licences (product_id);

-- Units used per licence and quota window ('2026-11', '2026-11-24' or 'licence'), incremented only
-- while under the limit, like consent_usage.
create table licence_usage (
  licence_id uuid not null references licences (id),
  window_key text not null,
  units bigint not null,
  primary key (licence_id, window_key)
);

-- Every billable call, exactly once: a retry with the same request key finds its first record.
create table metering_events (
  id uuid primary key,
  licence_id uuid not null references licences (id),
  request_key text not null,
  period text not null,
  units integer not null,
  amount_dong bigint not null check (amount_dong >= 0),
  epsilon_micro bigint not null default 0,
  result jsonb,
  leaf_index bigint,
  -- CONSENTED reads only: whose record it was, so the citizens' share reaches them. Never on the ledger.
  subject_id uuid references subjects (id) on delete set null,
  at timestamptz not null,
  unique (licence_id, request_key)
);
create index metering_by_subject on metering_events (subject_id, period) where subject_id is not null;
create index metering_by_licence on metering_events (licence_id, at desc);
create index metering_by_period on metering_events (period);

-- A licence's monthly statement once closed, with the ledger transaction that anchored its total.
create table statements (
  licence_id uuid not null references licences (id),
  period text not null,
  units bigint not null,
  amount_dong bigint not null,
  split jsonb not null,
  anchor_tx_id text,
  anchored_at timestamptz,
  primary key (licence_id, period)
);

-- The profiles counted by combination of attributes, kept exact by a trigger in the same
-- transaction as every change to a profile (deposit, correction, opt-out). A statistic reads this
-- cube, whose size is bounded by the combinations (provinces × birth years × sexes × statuses),
-- not by the number of citizens. Unknown attributes are '' and 0 here, so the key has no nulls.
create table statistics_cube (
  province text not null,
  birth_year smallint not null,
  sex text not null,
  insurance_status text not null,
  n bigint not null,
  primary key (province, birth_year, sex, insurance_status)
);

create function statistics_cube_follow() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and not old.opted_out then
    update statistics_cube set n = n - 1
    where province = coalesce(old.province, '') and birth_year = coalesce(old.birth_year, 0)
      and sex = coalesce(old.sex, '') and insurance_status = coalesce(old.insurance_status, '');
  end if;
  if tg_op in ('INSERT', 'UPDATE') and not new.opted_out then
    insert into statistics_cube (province, birth_year, sex, insurance_status, n)
    values (coalesce(new.province, ''), coalesce(new.birth_year, 0), coalesce(new.sex, ''), coalesce(new.insurance_status, ''), 1)
    on conflict (province, birth_year, sex, insurance_status) do update set n = statistics_cube.n + 1;
  end if;
  return null;
end $$;

create trigger statistics_cube_follow after insert or update or delete on statistics_profiles
  for each row execute function statistics_cube_follow();
