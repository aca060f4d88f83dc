-- Idempotency keys: a POST retried with the same key (by the same caller) gets the first answer
-- again instead of doing the work twice. Kept for 24 hours.
create table idempotency_keys (
  scope text not null,
  key text not null,
  request_hash text not null,
  completed boolean not null default false,
  status integer,
  content_type text,
  body bytea,
  created_at timestamptz not null default now(),
  primary key (scope, key)
);
create index idempotency_keys_age on idempotency_keys (created_at);
