-- Versioned notices (issue 17 item 4). What a citizen is shown when asked for consent — the
-- purpose's text, each field's description, the consumer organisation's own notice — is kept as
-- numbered versions that never change once published. A consent's artefact names the version of
-- each it was shown, with its hash, so the artefact hash on the ledger covers the exact text.
create table notices (
  kind text not null check (kind in ('purpose', 'field', 'organization')),
  -- A purpose code, a field path ('identity.fullName') or an organisation id.
  key text not null,
  version integer not null check (version >= 1),
  -- {"vi": ..., "en": ...}: the text as shown.
  text jsonb not null,
  -- SHA-256 (hex) of the canonical JSON {kind, key, version, text}: what the artefact carries.
  text_hash text not null,
  -- A material change asks every consent given under an earlier version again; `rule` says what
  -- reads do meanwhile: continue until the citizen answers, or pause at once.
  material boolean not null,
  rule text check (rule in ('continue', 'pause')),
  -- What changed, in a sentence per language, shown to the citizen asked again.
  change_summary jsonb,
  published_at timestamptz not null,
  published_by text not null,
  -- The verifiable log's leaf that records {kind, key, version, textHash, material, rule}; null until
  -- appended (the notices sweep appends what a crash left without).
  leaf_index bigint,
  primary key (kind, key, version),
  check (material = (rule is not null))
);
create index notices_unlogged on notices (published_at) where leaf_index is null;

-- A consent given under a version a material change has since replaced. One open row per consent:
-- a later material change while it is open adds to `changes` and, if its rule is pause, pauses.
-- The citizen is asked again through a successor consent request with the same terms under the
-- current notices; answering it (approve or reject) revokes this consent and resolves the row.
create table reconsent_requests (
  consent_id uuid primary key references consents (id),
  -- 'pause' as soon as any change in `changes` says pause.
  rule text not null check (rule in ('continue', 'pause')),
  -- [{kind, key, version}] of the material versions that asked for it.
  changes jsonb not null,
  -- The successor request the citizen is asked with; null until the notices sweep has made it, and
  -- again after a further change made the pending successor outdated.
  successor_id uuid references consents (id),
  created_at timestamptz not null,
  resolved_at timestamptz,
  resolution text check (resolution in ('reconsented', 'declined', 'ended')),
  check ((resolved_at is null) = (resolution is null))
);
create index reconsent_requests_open on reconsent_requests (created_at) where resolved_at is null;
create unique index reconsent_requests_by_successor on reconsent_requests (successor_id) where successor_id is not null;
