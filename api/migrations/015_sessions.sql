-- Browser sessions of the backend-for-frontend (issue 17): the portal holds only an HttpOnly
-- cookie; the API keeps who it is. The cookie's value is never stored, only its SHA-256, so a copy
-- of this table opens no session. The principal (a citizen's national id among it) and the
-- identity provider's refresh token are sealed with the KEK.
create table sessions (
  id_hash bytea primary key,
  role text not null,
  subject text not null,
  sealed_principal bytea not null,
  csrf_token text not null,
  sealed_refresh_token bytea,
  acr text,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz not null default now(),
  idle_expires_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_expiry on sessions (expires_at);
