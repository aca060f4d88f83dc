-- Organisations of the exchange. The ledger holds their roles and status; this table holds what the
-- API needs to authenticate them (their public JWKS) and what is not for the ledger (name, number).
create table organizations (
  id uuid primary key,
  name text not null,
  registration_number text not null unique,
  msp_id text not null,
  roles text[] not null,
  jwks jsonb not null,
  status text not null check (status in ('VERIFIED', 'SUSPENDED')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
