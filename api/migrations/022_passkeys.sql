-- Passkeys (issue 17): the citizen's device signs consent decisions. A credential belongs to the
-- citizen's pseudonymous subject id (the vault's), never to a national id. Only public keys are kept.
create table passkey_credentials (
  id text primary key,
  subject_id uuid not null,
  cose_public_key bytea not null,
  public_key bytea not null,
  public_key_hash text not null,
  sign_count bigint not null default 0,
  transports text[] not null default '{}',
  created_at timestamptz not null,
  last_used_at timestamptz,
  removed_at timestamptz
);
create index passkey_credentials_subject on passkey_credentials (subject_id) where removed_at is null;

-- One-time WebAuthn challenges: a registration's random one, or a decision's (the hash of the
-- decision statement it commits to). Used once, then refused.
create table passkey_challenges (
  challenge text primary key,
  subject_id uuid not null,
  purpose text not null check (purpose in ('register', 'decide')),
  consent_id uuid,
  statement jsonb,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index passkey_challenges_expiry on passkey_challenges (expires_at);

-- How each decision made through the API was authenticated: by the citizen's passkey (with the
-- assertion, for the evidence package) or by the portal session or token alone ('session').
create table consent_decision_evidence (
  transaction_id text primary key,
  consent_id uuid not null,
  action text not null,
  method text not null check (method in ('passkey', 'session')),
  statement jsonb,
  assertion jsonb,
  leaf_index bigint,
  log_entry jsonb,
  at timestamptz not null
);
create index consent_decision_evidence_consent on consent_decision_evidence (consent_id, at desc);

-- Passkeys added, removed and refused: for auditors, with the pseudonymous subject only.
create table passkey_events (
  id uuid primary key,
  at timestamptz not null,
  event text not null check (event in ('passkey-added', 'passkey-removed', 'passkey-refused')),
  subject_id uuid not null,
  credential_id text,
  reason text
);
create index passkey_events_recent on passkey_events (at desc, id desc);
