-- Where the ledger projector has got to, so it resumes after a restart instead of replaying everything.
create table ledger_checkpoints (
  name text primary key,
  block_number bigint not null,
  transaction_id text,
  updated_at timestamptz not null default now()
);
