-- Client assertions (RFC 7523) already used, kept until they expire, so none can be replayed.
create table client_assertion_jtis (
  organization_id uuid not null references organizations (id),
  jti text not null,
  expires_at timestamptz not null,
  primary key (organization_id, jti)
);
create index client_assertion_jtis_expiry on client_assertion_jtis (expires_at);
