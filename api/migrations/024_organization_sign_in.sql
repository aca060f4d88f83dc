-- Organisations' own identity providers: their staff sign in to the portal through them, and a claim
-- of the ID token says which portal role a person has. The client secret is sealed with the KEK and
-- never leaves the API.
create table organization_sign_in (
  organization_id uuid primary key references organizations (id),
  issuer text not null,
  client_id text not null,
  sealed_client_secret bytea not null,
  scopes text not null,
  role_claim text not null,
  -- [[claim value, role], ...] in order: the first value the person has decides their role.
  role_mapping jsonb not null,
  updated_at timestamptz not null
);
