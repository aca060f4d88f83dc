-- Webhooks: each organisation's endpoints (their signing secrets sealed with the KEK) and a durable
-- outbox of deliveries, so a notification survives a crash and is retried until it lands or gives up.
create table webhook_endpoints (
  id uuid primary key,
  organization_id uuid not null references organizations (id),
  url text not null,
  sealed_secret bytea not null,
  created_at timestamptz not null default now()
);
create index webhook_endpoints_by_org on webhook_endpoints (organization_id);

create table webhook_deliveries (
  id uuid primary key,
  endpoint_id uuid not null references webhook_endpoints (id),
  event_type text not null,
  payload jsonb not null,
  status text not null check (status in ('PENDING', 'DELIVERED', 'FAILED')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'PENDING';
create index webhook_deliveries_by_endpoint on webhook_deliveries (endpoint_id, created_at desc);
